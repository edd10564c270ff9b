from celery import shared_task


@shared_task
def deliver(delivery_id: int) -> None:
    """One attempt; a failed one that may succeed later is tried again after a growing wait."""
    from . import services

    wait = services.attempt_delivery(delivery_id=delivery_id)
    if wait is not None:
        raise deliver.retry(countdown=wait, max_retries=None)
