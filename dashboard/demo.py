"""Demo team goals for `manage.py seed_demo`: the firm's goal, computed from the
demo's own losses, and Boston's, kept by hand by a partner. Idempotent: each scope's active goal
is found and updated, never duplicated."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Office, User

from .models import Goal


def seed(*, users: dict[str, User]) -> None:
    today = timezone.localdate()
    partner = users["pat"]
    boston = Office.objects.get(name="Boston")
    goals = [
        (
            None,
            {
                "title": "Halve controllable losses",
                "measure": Goal.Measure.CONTROLLABLE_LOSSES,
                "starts_on": today - dt.timedelta(days=30),
                "ends_on": today + dt.timedelta(days=90),
                "baseline": Decimal(4),
                "target": Decimal(2),
                "manual_label": "",
            },
        ),
        (
            boston,
            {
                "title": "Every key client has a named backup partner",
                "measure": Goal.Measure.MANUAL,
                "manual_label": "Key clients with a named backup partner (of 24)",
                "starts_on": today - dt.timedelta(days=45),
                "ends_on": today + dt.timedelta(days=75),
                "baseline": Decimal(6),
                "target": Decimal(24),
                "manual_value": Decimal(15),
                "manual_updated_by": partner,
                "manual_updated_at": timezone.now() - dt.timedelta(days=3),
            },
        ),
    ]
    for office, fields in goals:
        Goal.objects.update_or_create(
            office=office, status=Goal.Status.ACTIVE, defaults={"set_by": partner, **fields}
        )
