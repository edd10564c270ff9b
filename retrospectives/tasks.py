from celery import shared_task

from . import services
from .models import Review


@shared_task(acks_late=True)
def send_review_report(review_id: int) -> int:
    return services.send_report(review=Review.objects.get(pk=review_id))


@shared_task(acks_late=True)
def send_review_invitations(review_id: int) -> int:
    return services.send_invitations(review=Review.objects.get(pk=review_id))


@shared_task(acks_late=True)
def send_review_update(review_id: int, added: list[int], removed: list[int]) -> int:
    return services.send_review_update(
        review=Review.objects.get(pk=review_id), added=added, removed=removed
    )


@shared_task(acks_late=True)
def plan_process_audits() -> int:
    return len(services.plan_due_audits())
