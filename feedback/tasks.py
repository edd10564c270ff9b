from celery import shared_task

from . import services
from .models import FeedbackResponse


@shared_task(acks_late=True)
def send_feedback_reply(response_id: int) -> None:
    services.send_feedback_reply(response=FeedbackResponse.objects.get(pk=response_id))


@shared_task(acks_late=True)
def raise_save_alert(response_id: int) -> None:
    services.raise_save_alert(response_id=response_id)
