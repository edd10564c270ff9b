from celery import shared_task

from . import services
from .models import Review


@shared_task(acks_late=True)
def send_review_report(review_id: int) -> int:
    return services.send_report(review=Review.objects.get(pk=review_id))
