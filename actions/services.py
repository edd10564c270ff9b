"""Workflows of improvement actions: every change of state goes through a function here."""

import datetime as dt

from django.db import transaction

from accounts.models import User

from .models import Action, ActionEvent


@transaction.atomic
def create_action(
    *,
    title: str,
    owner: User,
    due_on: dt.date,
    created_by: User | None,
    detail: str = "",
    priority: str = Action.Priority.NORMAL,
    **sources,
) -> Action:
    """Create an action and its first history row. `sources` are the Action fields that say where
    it came from: client, cause, source_review, source_contribution, source_lesson,
    source_interview, source_feedback or source_learning_check."""
    action = Action.objects.create(
        title=title,
        detail=detail,
        owner=owner,
        due_on=due_on,
        priority=priority,
        created_by=created_by,
        **sources,
    )
    ActionEvent.objects.create(
        action=action, actor=created_by, to_status=action.status, note="Created"
    )
    return action
