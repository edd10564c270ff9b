"""Thin Celery tasks: they take ids (or nothing) and call services, which they import inside
the body because services import this module to queue them. The Reminder rows are the source of
truth, so a lost or repeated task costs nothing but a little time. acks_late, ignore_result and
the beat sweep's expiry are Celery settings (learnorg/settings.py)."""

from celery import shared_task
from django.db import OperationalError

from .models import Action


# A busy database (SQLite under `make run`: "database is locked") is worth another try.
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def replan_reminders(action_id: int) -> None:
    from . import services

    action = Action.objects.filter(pk=action_id).first()
    if action is not None:
        services.replan_reminders(action=action)


@shared_task
def send_due_reminders() -> int:
    from . import services

    return services.send_due_reminders().reminders


@shared_task
def replan_open_actions() -> int:
    """After the policy or the quiet periods change, every pending plan may move."""
    from . import services

    return services.replan_open_actions()
