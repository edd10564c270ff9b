from celery import shared_task


@shared_task
def refresh_dashboard() -> None:
    from . import services

    services.refresh_default_snapshot()


@shared_task
def refresh_view(fields: dict) -> None:
    """Refresh the stale snapshot of one filtered view (dashboard.services.snapshot_for)."""
    from . import services

    services.refresh_view(fields)
