from celery import shared_task


@shared_task
def deliver(delivery_id: int) -> None:
    """One attempt; a failed one that may succeed later is tried again after a growing wait."""
    from . import services

    wait = services.attempt_delivery(delivery_id=delivery_id)
    if wait is not None:
        raise deliver.retry(countdown=wait, max_retries=None)


@shared_task
def resend_stalled() -> None:
    """Queue again the deliveries whose task was lost (a broker or worker gone at the wrong
    moment): the rows are the truth."""
    from . import services

    services.resend_stalled()
