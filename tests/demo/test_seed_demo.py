"""seed_demo builds the demo firm; running it again changes nothing.

It seeds every app, so it runs once here and the checks share that run.
"""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import F, Q
from django.test import RequestFactory

from accounts.models import Office, User
from actions.models import Action
from feedback.models import ServiceLine

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(User.objects.values_list("username", "display_name", "is_superuser")),
        sorted(Office.objects.values_list("name", flat=True)),
        sorted(ServiceLine.objects.values_list("name", flat=True)),
    )


def test_seed_demo_builds_the_same_demo_firm_however_often_it_runs(settings):
    call_command("seed_demo", stdout=None)
    first = _snapshot()
    call_command("seed_demo", stdout=None)
    assert _snapshot() == first

    users = {u.username: u for u in User.objects.all()}
    assert {"alice", "bob", "fran", "pat", "sam", "admin"} <= set(users)
    assert users["alice"].is_account_manager and users["bob"].is_account_manager
    assert users["fran"].is_facilitator and not users["fran"].is_partner
    assert users["pat"].is_partner
    assert not (users["sam"].is_partner or users["sam"].is_facilitator)
    assert users["admin"].is_superuser

    request = RequestFactory().post("/accounts/login/")
    for username in ["alice", "bob", "fran", "pat", "sam", "admin"]:
        user = authenticate(request, username=username, password=settings.DEMO_PASSWORD)
        assert user is not None, username


def test_no_demo_action_closes_before_it_was_opened():
    """The dashboard's "median days from created to verified" reads these dates."""
    call_command("seed_demo", stdout=None)
    closed = Action.objects.filter(done_at__isnull=False)
    assert closed.exists()
    assert not closed.filter(Q(done_at__lt=F("created_at")) | Q(verified_at__lt=F("created_at")))
