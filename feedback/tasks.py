from celery import shared_task

from .models import FeedbackLinkEmail, FeedbackResponse


@shared_task
def send_feedback_reply(response_id: int) -> None:
    from . import services

    services.send_feedback_reply(response=FeedbackResponse.objects.get(pk=response_id))


@shared_task
def raise_save_alert(response_id: int) -> None:
    from . import services

    services.raise_save_alert(response_id=response_id)


@shared_task
def send_feedback_link_email(sent_id: int) -> None:
    from . import services

    services.send_feedback_link_email(sent=FeedbackLinkEmail.objects.get(pk=sent_id))
