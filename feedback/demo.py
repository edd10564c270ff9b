"""Demo clients and feedback for `manage.py seed_demo` (DESIGN.md §11)."""

from accounts.models import User

from .models import ServiceLine

SERVICE_LINES = ["Tax", "Audit & assurance", "Advisory", "Bookkeeping", "Payroll"]


def seed(*, users: dict[str, User]) -> None:
    for name in SERVICE_LINES:
        ServiceLine.objects.get_or_create(name=name)
