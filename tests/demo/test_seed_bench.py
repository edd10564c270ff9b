import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from actions.models import Action
from dashboard.models import Goal
from feedback.models import Client, ExitInterview, FeeChange, SaveAttempt
from retrospectives.models import Contribution, Review

pytestmark = pytest.mark.django_db


def test_seed_bench_builds_a_small_bench_firm_and_skips_a_second_time(capsys):
    call_command("seed_bench", interviews=200, batch=64)
    assert Client.objects.filter(name__startswith="Bench client").count() == 200
    assert ExitInterview.objects.count() == 200
    assert Action.objects.exclude(title="Bench action on a troubled client").count() == 500
    assert Review.objects.count() == 40
    assert Contribution.objects.count() == 200
    # Histories keep the dates the seed gave them, not "now".
    assert Action.objects.dates("created_at", "year").count() > 1

    call_command("seed_bench", interviews=200)
    assert "already there" in capsys.readouterr().out
    assert Client.objects.filter(name__startswith="Bench client").count() == 200


def test_seed_bench_builds_on_top_of_the_demo_and_keeps_the_demo_goal(capsys):
    call_command("seed_demo", stdout=None)
    demo_goal = Goal.objects.get(office=None, status=Goal.Status.ACTIVE)

    call_command("seed_bench", interviews=50, batch=64)

    assert Client.objects.filter(name__startswith="Bench client").count() == 50
    assert Goal.objects.get(office=None, status=Goal.Status.ACTIVE) == demo_goal
    assert "already has an active goal" in capsys.readouterr().out


def test_seed_bench_plants_warning_signs_before_some_controllable_losses_only():
    call_command("seed_bench", interviews=300, batch=64)
    troubled = SaveAttempt.objects.values_list("client", flat=True)
    assert troubled
    lost = Client.objects.filter(pk__in=troubled)
    assert set(lost.values_list("status", flat=True)) == {Client.Status.LOST}
    assert not ExitInterview.objects.filter(
        client__in=troubled, client_primary_reason__controllable=False
    ).exists()
    for attempt in SaveAttempt.objects.select_related("client"):
        assert attempt.opened_at.date() < attempt.client.lost_on


def test_seed_bench_refuses_to_build_over_a_data_set_of_another_size():
    call_command("seed_bench", interviews=20, batch=64, stdout=None)
    with pytest.raises(CommandError, match="another size"):
        call_command("seed_bench", interviews=30, batch=64, stdout=None)
    assert Client.objects.filter(name__startswith="Bench client").count() == 20


def test_seed_bench_plants_fee_histories_that_end_at_each_clients_fees():
    call_command("seed_bench", interviews=600, batch=64, stdout=None)
    changes: dict[int, list[FeeChange]] = {}
    for change in FeeChange.objects.order_by("changed_on", "pk"):
        changes.setdefault(change.client_id, []).append(change)
    clients = Client.objects.in_bulk(changes)
    for pk, history in changes.items():
        client = clients[pk]
        assert history[-1].new == client.annual_fees
        assert all(a.new == b.previous for a, b in zip(history, history[1:], strict=False))
        assert all(c.changed_on <= (client.lost_on or dt.date.today()) for c in history)

    def large_rise(change):
        return change.new >= change.previous * Decimal("1.15")

    rose = {c.client_id for history in changes.values() for c in history if large_rise(c)}
    lost = {pk for pk, c in clients.items() if c.status == Client.Status.LOST}
    # Rises come before some losses, and to clients who stay too (noise).
    assert rose & lost and rose - lost
    # Small routine rises, which score nothing, are the most common change.
    small = [
        c for h in changes.values() for c in h if c.previous < c.new < c.previous * Decimal("1.1")
    ]
    assert len(small) > len(rose)
