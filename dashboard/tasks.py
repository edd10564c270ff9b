from celery import shared_task

from . import services


@shared_task
def refresh_dashboard() -> None:
    services.refresh_default_snapshot()


@shared_task
def refresh_view(fields: dict) -> None:
    """Refresh the stale snapshot of one filtered view (dashboard.services.snapshot_for)."""
    services.refresh_view(fields)
