from celery import shared_task

from . import services


@shared_task
def refresh_dashboard() -> None:
    services.refresh_default_snapshot()
