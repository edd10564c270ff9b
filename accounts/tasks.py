from celery import shared_task


@shared_task
def send_password_reset(user_id: int) -> None:
    from . import services
    from .models import User

    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        services.send_password_reset(user=user)
