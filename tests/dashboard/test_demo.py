import pytest
from django.core.management import call_command

from dashboard import goals
from dashboard.models import Goal

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_firm_goal_and_a_team_goal_and_is_idempotent():
    call_command("seed_demo", stdout=None)
    first = sorted(Goal.objects.values_list("title", "office__name", "status", "manual_value"))
    call_command("seed_demo", stdout=None)
    assert sorted(Goal.objects.values_list("title", "office__name", "status", "manual_value")) == (
        first
    )
    firm, boston = Goal.objects.get(office=None), Goal.objects.get(office__isnull=False)
    assert (firm.office, boston.office.name) == (None, "Boston")
    assert firm.measure == Goal.Measure.CONTROLLABLE_LOSSES and boston.is_manual
    assert goals.progress(boston, boston.starts_on).percent == 50  # (15 - 6) / (24 - 6)
