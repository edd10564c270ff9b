"""Thin Celery tasks: they take ids and call services. The Reminder rows are the source of
truth, so a lost or repeated task costs nothing but a little time."""

from celery import shared_task
from django.db import OperationalError

from . import services
from .models import Action


# A busy database (SQLite under `make run`: "database is locked") is worth another try.
@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def replan_reminders(action_id: int) -> None:
    action = Action.objects.filter(pk=action_id).first()
    if action is not None:
        services.replan_reminders(action=action)


# Beat queues this every minute; an unstarted copy older than that is superseded by the next.
@shared_task(acks_late=True, ignore_result=True, expires=55)
def send_due_reminders() -> int:
    return services.send_due_reminders().reminders


@shared_task(acks_late=True, ignore_result=True)
def replan_open_actions() -> int:
    """After the policy or the quiet periods change, every pending plan may move."""
    count = 0
    for action in Action.objects.filter(
        status__in=[*Action.OPEN_STATUSES, Action.Status.VERIFIED]
    ).iterator(chunk_size=500):
        services.replan_reminders(action=action)
        count += 1
    return count
