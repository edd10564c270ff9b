import pytest
from django.core.management import call_command

from actions.models import Action, ActionEvent, QuietPeriod, Reminder

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(Action.objects.values_list("title", "owner__username", "status", "due_on")),
        ActionEvent.objects.count(),
        sorted(Reminder.objects.values_list("action__title", "kind", "sequence", "recipient_id")),
        QuietPeriod.objects.count(),
    )


def test_the_demo_has_actions_in_every_state_and_is_idempotent():
    call_command("seed_demo", stdout=None)
    first = _snapshot()
    call_command("seed_demo", stdout=None)
    assert _snapshot() == first
    assert set(Action.objects.values_list("status", flat=True)) == set(Action.Status.values)
    owners = set(Action.objects.values_list("owner__username", flat=True))
    assert {"alice", "bob", "sam", "fran"} <= owners
    assert Action.objects.overdue().exists()
    assert Action.objects.filter(status="verified", recheck_on__isnull=False).exists()
    busy = QuietPeriod.objects.get(name__startswith="Busy season")
    assert (busy.starts_on.month, busy.starts_on.day, busy.ends_on.month) == (2, 15, 4)
    assert Reminder.objects.filter(sent_at__isnull=True).exists()
    assert Reminder.objects.filter(kind="recheck").exists()


def test_the_demo_has_a_running_pilot_and_one_that_worked_and_was_rolled_out():
    call_command("seed_demo", stdout=None)
    call_command("seed_demo", stdout=None)
    pilots = Action.objects.filter(is_pilot=True)
    assert set(pilots.values_list("pilot_result", flat=True)) == {"", "worked"}
    worked = pilots.get(pilot_result="worked")
    rollout = Action.objects.get(rollout_of=worked)
    assert rollout.title.startswith("Roll out: ") and rollout.is_open
    assert ActionEvent.objects.filter(action=worked, note__startswith="Rolled out as").count() == 1
