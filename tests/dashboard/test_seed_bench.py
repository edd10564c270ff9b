import pytest
from django.core.management import call_command

from actions.models import Action
from feedback.models import Client, ExitInterview
from retrospectives.models import Contribution, Review

pytestmark = pytest.mark.django_db


def test_it_builds_a_small_bench_firm_and_skips_a_second_time(capsys):
    call_command("seed_bench", interviews=200, batch=64)
    assert Client.objects.filter(name__startswith="Bench client").count() == 200
    assert ExitInterview.objects.count() == 200
    assert Action.objects.count() == 500
    assert Review.objects.count() == 40
    assert Contribution.objects.count() == 200
    # Histories keep the dates the seed gave them, not "now".
    assert Action.objects.dates("created_at", "year").count() > 1

    call_command("seed_bench", interviews=200)
    assert "already there" in capsys.readouterr().out
    assert Client.objects.filter(name__startswith="Bench client").count() == 200
