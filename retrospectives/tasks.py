from celery import shared_task

from .models import Review


@shared_task
def send_review_report(review_id: int) -> int:
    from . import services

    return services.send_report(review=Review.objects.get(pk=review_id))


@shared_task
def send_review_invitations(review_id: int) -> int:
    from . import services

    return services.send_invitations(review=Review.objects.get(pk=review_id))


@shared_task
def send_review_update(review_id: int, added: list[int], removed: list[int]) -> int:
    from . import services

    return services.send_review_update(
        review=Review.objects.get(pk=review_id), added=added, removed=removed
    )


@shared_task
def plan_process_audits() -> int:
    from . import services

    return len(services.plan_due_audits())


@shared_task
def send_lessons_digest() -> int:
    from . import services

    return services.send_lessons_digest()
