"""Team goals: progress against the hand-worked firm of conftest.py (today is
15 June 2026), the rules of the form, one active goal per scope, and who may do what."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import AuditEvent
from dashboard import goals, services
from dashboard.models import Goal

pytestmark = pytest.mark.django_db

Measure = Goal.Measure
D = dt.date.fromisoformat


def _goal(measure, start, end, baseline, target, office=None, **fields):
    return Goal.objects.create(
        title=fields.pop("title", f"Goal on {measure}"),
        office=office,
        measure=measure,
        starts_on=D(start),
        ends_on=D(end),
        baseline=baseline,
        target=target,
        **fields,
    )


# --- pages keep the measured goals for a few minutes ----------------------------------------


def test_a_measure_is_one_query_over_the_goal_window(firm, django_assert_num_queries):
    goal = _goal(Measure.ACTIONS_VERIFIED, "2026-02-01", "2026-06-30", 2, 6)
    with django_assert_num_queries(1):
        assert goals.measured_value(goal, firm.today) == 3
    # Verified Mar–Jun 2026: A6 and A7.
    goal.starts_on = D("2026-03-01")
    with django_assert_num_queries(1):
        assert goals.measured_value(goal, firm.today) == 2


def _firm_goal_value(client) -> str:
    page = client.get(reverse("home")).content.decode()
    return page.split('class="goal-value">')[1].split("<")[0]


def test_new_data_counts_once_the_kept_goals_expire(client, firm, alice, pat, time_machine):
    from tests.factories import ActionFactory

    _goal(Measure.ACTIONS_VERIFIED, "2026-02-01", "2026-06-30", 2, 6)
    client.force_login(pat)
    assert _firm_goal_value(client) == "3"
    ActionFactory(
        owner=alice,
        status="verified",
        evidence="e",
        verified_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    )
    assert _firm_goal_value(client) == "3"
    time_machine.shift(dt.timedelta(seconds=goals.MEASURE_SECONDS + 1))
    assert _firm_goal_value(client) == "4"


def test_a_goal_changed_anywhere_shows_at_once(client, firm, pat):
    goal = _goal(Measure.ACTIONS_VERIFIED, "2026-02-01", "2026-06-30", 2, 6)
    client.force_login(pat)
    assert _firm_goal_value(client) == "3"
    goal.starts_on = D("2026-03-01")
    goal.save()  # not through a service: a shell, a data migration
    assert _firm_goal_value(client) == "2"


def test_a_manual_goal_shows_its_new_value_at_once(firm, pat):
    goal = _goal(Measure.MANUAL, "2026-01-01", "2026-12-31", 10, 20, manual_label="NPS")
    services.update_goal_value(goal=goal, by=pat, value=Decimal(12))
    assert goals.measured_value(goal, firm.today) == 12
    services.update_goal_value(goal=goal, by=pat, value=Decimal(15))
    assert goals.measured_value(goal, firm.today) == 15


# --- progress, worked by hand ----------------------------------------------------------------


def test_controllable_losses_within_the_limit_when_the_window_ended(firm):
    # Losses Jan–Apr 2026: c3 (Jan 20, partner unreachable), c2 (Mar 1, service level), and
    # c6 (Apr 1, no reason recorded, so not counted): 2 controllable, limit 2.
    p = goals.progress(
        _goal(Measure.CONTROLLABLE_LOSSES, "2026-01-01", "2026-04-30", 4, 2), firm.today
    )
    assert (p.value, p.percent, p.state, p.days_left) == (2, 100, "reached", 0)
    assert p.is_limit and p.value_text == "2"


def test_fees_lost_in_one_office_over_the_limit(firm):
    # Boston, Jan–Aug 2026 so far: c2 40,000 (annual fees) + c6 5,000 + c1 50,000 = 95,000.
    goal = _goal(Measure.FEES_LOST, "2026-01-01", "2026-08-31", 120000, 60000, firm.offices.boston)
    p = goals.progress(goal, firm.today)
    assert (p.value, p.percent, p.state, p.days_left) == (95000, 100, "missed", 77)
    assert p.value_text == "$95,000" and p.target_text == "$60,000"


def test_fees_lost_within_the_limit_so_far(firm):
    # Hartford, Jan–Aug 2026 so far: c3 30,000 of a 60,000 limit.
    goal = _goal(Measure.FEES_LOST, "2026-01-01", "2026-08-31", 90000, 60000, firm.offices.hartford)
    p = goals.progress(goal, firm.today)
    assert (p.value, p.percent, p.state) == (30000, 50, "within_limit")


def test_a_goal_of_actions_verified_is_half_way(firm):
    # Verified Feb–Jun 2026: A5 (Feb 11), A6 (Mar 21), A7 (May 1) = 3 of 6.
    p = goals.progress(
        _goal(Measure.ACTIONS_VERIFIED, "2026-02-01", "2026-06-30", 2, 6), firm.today
    )
    assert (p.value, p.percent, p.state, p.days_left) == (3, 50, "on_the_way", 15)


def test_average_feedback_rating_half_way(firm):
    # Rated responses in 2026 so far: 8, 6 and 4 (the unrated one does not count): 6.0,
    # half the way from 5 to 7.
    p = goals.progress(_goal(Measure.FEEDBACK_RATING, "2026-01-01", "2026-12-31", 5, 7), firm.today)
    assert (p.value, p.percent, p.state) == (6, 50, "on_the_way")


def test_a_manual_measure_moves_by_hand(firm, pat):
    goal = _goal(
        Measure.MANUAL, "2026-05-01", "2026-08-31", 10, 24, manual_label="key clients with a backup"
    )
    assert goals.progress(goal, firm.today).state == "no_data"
    services.update_goal_value(goal=goal, by=pat, value=Decimal(17))
    p = goals.progress(goal, firm.today)
    assert (p.value, p.percent, p.state) == (17, 50, "on_the_way")  # (17-10)/(24-10)
    assert AuditEvent.objects.filter(object_type="dashboard.goal", verb="update").exists()


def test_a_level_going_down_counts_the_same_way(firm, pat):
    goal = _goal(Measure.MANUAL, "2026-05-01", "2026-08-31", 4, 1, manual_label="days to answer")
    services.update_goal_value(goal=goal, by=pat, value=Decimal(1))
    assert goals.progress(goal, firm.today).state == "reached"


def test_a_goal_not_started_shows_nothing_yet(firm):
    p = goals.progress(
        _goal(Measure.ACTIONS_VERIFIED, "2026-07-01", "2026-10-31", 2, 6), firm.today
    )
    assert (p.value, p.percent, p.state) == (None, 0, "not_started")


def test_a_missed_target_after_the_window(firm):
    p = goals.progress(
        _goal(Measure.ACTIONS_VERIFIED, "2026-01-01", "2026-03-31", 1, 5), firm.today
    )
    assert (p.value, p.percent, p.state) == (2, 40, "missed")  # A5, A6


# --- one active goal per scope ---------------------------------------------------------------


def test_the_database_allows_one_active_goal_per_scope(firm):
    _goal(Measure.ACTIONS_VERIFIED, "2026-06-01", "2026-09-30", 2, 6)
    _goal(Measure.ACTIONS_VERIFIED, "2026-06-01", "2026-09-30", 2, 6, firm.offices.boston)
    for office in (None, firm.offices.boston):
        with pytest.raises(IntegrityError), transaction.atomic():
            _goal(Measure.FEES_LOST, "2026-06-01", "2026-09-30", 9, 6, office)
    _goal(Measure.FEES_LOST, "2026-06-01", "2026-09-30", 9, 6, firm.offices.hartford)
    _goal(Measure.FEES_LOST, "2026-01-01", "2026-03-30", 9, 6, status=Goal.Status.ENDED)


@pytest.mark.parametrize(
    "fields",
    [
        {"ends_on": "2026-06-01"},  # before the start
        {"target": 2},  # the baseline
        {"measure": Measure.MANUAL},  # says nothing about what it counts
    ],
)
def test_the_database_refuses_a_goal_that_makes_no_sense(firm, fields):
    values = {"measure": Measure.ACTIONS_VERIFIED, "ends_on": "2026-09-30", "target": 6, **fields}
    with pytest.raises(IntegrityError), transaction.atomic():
        _goal(values["measure"], "2026-06-02", values["ends_on"], 2, values["target"])


def test_the_service_turns_a_taken_scope_into_a_message(firm, pat):
    _goal(Measure.ACTIONS_VERIFIED, "2026-06-01", "2026-09-30", 2, 6)
    with pytest.raises(ValidationError) as error:
        services.set_goal(
            by=pat,
            title="Halve controllable losses",
            office=None,
            starts_on=D("2026-06-15"),
            ends_on=D("2026-10-15"),
            measure=Measure.CONTROLLABLE_LOSSES,
            baseline=Decimal(4),
            target=Decimal(2),
        )
    assert "already has an active goal" in error.value.message_dict["office"][0]


def test_ending_a_goal_frees_its_scope(firm, pat):
    goal = _goal(Measure.ACTIONS_VERIFIED, "2026-06-01", "2026-09-30", 2, 6)
    services.end_goal(goal=goal, by=pat)
    assert goal.status == Goal.Status.ENDED and goal.ended_at
    _goal(Measure.FEES_LOST, "2026-06-15", "2026-09-30", 9, 6)
    with pytest.raises(ValidationError):
        services.end_goal(goal=goal, by=pat)


def test_only_a_partner_changes_goals(firm, alice):
    goal = _goal(Measure.MANUAL, "2026-06-01", "2026-09-30", 2, 6, manual_label="x")
    with pytest.raises(ValidationError, match="Only a partner"):
        services.update_goal_value(goal=goal, by=alice, value=Decimal(3))
    with pytest.raises(ValidationError, match="Only a partner"):
        services.end_goal(goal=goal, by=alice)


# --- the form --------------------------------------------------------------------------------

GOOD = {
    "title": "Halve controllable losses",
    "office": "",
    "measure": Measure.CONTROLLABLE_LOSSES,
    "manual_label": "",
    "starts_on": "2026-06-15",
    "ends_on": "2026-10-15",
    "baseline": "4",
    "target": "2",
}


def test_a_partner_sets_a_goal_and_it_shows_on_the_dashboard(client, firm, pat):
    client.force_login(pat)
    response = client.post(reverse("dashboard:goal_new"), GOOD)
    assert response.status_code == 302 and response["Location"].endswith("#goals")
    goal = Goal.objects.get()
    assert (goal.title, goal.office, goal.set_by, goal.target) == (GOOD["title"], None, pat, 2)
    assert AuditEvent.objects.filter(object_type="dashboard.goal", verb="create").exists()
    page = client.get(reverse("dashboard:index")).content.decode()
    assert "Halve controllable losses" in page and "of at most 2" in page


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"ends_on": "2026-06-10"}, "ends_on", "The goal must end after it starts."),
        ({"ends_on": "2026-06-20"}, "ends_on", "Give the goal at least two weeks."),
        ({"ends_on": "2027-10-15"}, "ends_on", "Keep the window to a year at most."),
        ({"target": "4"}, "target", "The target must differ from the baseline."),
        ({"target": "-1"}, "target", "greater than or equal to 0"),
        ({"target": "1.5"}, "target", "use a whole number"),
        ({"measure": Measure.FEEDBACK_RATING, "target": "11"}, "target", "from 0 to 10"),
        ({"measure": Measure.MANUAL}, "manual_label", "Say what the number counts."),
        ({"starts_on": "2024-01-01"}, "starts_on", "within the last year"),
        ({"title": "  "}, "title", "This field is required."),
        ({"measure": "vibes"}, "measure", "Select a valid choice."),
        ({"ends_on": "30/02/2026"}, "ends_on", "Enter a valid date."),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field(client, firm, pat, change, field, message):
    client.force_login(pat)
    response = client.post(reverse("dashboard:goal_new"), {**GOOD, **change})
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert "Halve controllable losses" in response.content.decode() or field == "title"
    assert not Goal.objects.exists()


def test_the_form_says_when_the_scope_already_has_a_goal(client, firm, pat):
    _goal(Measure.ACTIONS_VERIFIED, "2026-06-01", "2026-09-30", 2, 6, firm.offices.boston)
    client.force_login(pat)
    response = client.post(
        reverse("dashboard:goal_new"), {**GOOD, "office": firm.offices.boston.pk}
    )
    assert response.context["form"].errors["office"] == [
        "Boston already has an active goal. End it before setting a new one."
    ]
    assert client.post(reverse("dashboard:goal_new"), GOOD).status_code == 302


def test_a_partner_updates_a_manual_goal_with_checks(client, firm, pat):
    goal = _goal(Measure.MANUAL, "2026-06-01", "2026-09-30", 4, 24, manual_label="key clients")
    client.force_login(pat)
    url = reverse("dashboard:goal_progress", args=[goal.pk])
    response = client.post(url, {"value": "-3"})
    assert "greater than or equal to 0" in response.content.decode()
    assert client.post(url, {"value": "12"}).status_code == 302
    goal.refresh_from_db()
    assert (goal.manual_value, goal.manual_updated_by) == (12, pat)


def test_pages_show_a_change_to_the_goals_at_once(
    client, firm, pat, django_capture_on_commit_callbacks
):
    """Pages keep their rendered goals until a goal changes (accounts.caching, dashboard.apps)."""
    client.force_login(pat)

    def shown():
        # The goal's card, not a message naming it.
        return [
            'class="card h-100 goal-card' in client.get(url).content.decode()
            for url in (reverse("dashboard:index"), reverse("home"))
        ]

    assert shown() == [False, False]  # both pages now keep "no goal"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dashboard:goal_new"), GOOD)
    assert shown() == [True, True]
    goal = Goal.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dashboard:goal_end", args=[goal.pk]))
    assert shown() == [False, False]
    # A change in the admin counts too.
    goal.status, goal.ended_at = Goal.Status.ACTIVE, None
    request = RequestFactory().post("/")
    request.user = pat
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[Goal].save_model(request, goal, form=None, change=True)
    assert shown() == [True, True]


def test_a_computed_goal_has_no_manual_update_page(client, firm, pat):
    goal = _goal(Measure.ACTIONS_VERIFIED, "2026-06-01", "2026-09-30", 2, 6)
    client.force_login(pat)
    assert client.get(reverse("dashboard:goal_progress", args=[goal.pk])).status_code == 404


def test_a_partner_ends_a_goal_from_the_dashboard(client, firm, pat):
    goal = _goal(Measure.ACTIONS_VERIFIED, "2026-06-01", "2026-09-30", 2, 6)
    client.force_login(pat)
    response = client.post(reverse("dashboard:goal_end", args=[goal.pk]), follow=True)
    assert "ended. Whole firm can have a new goal." in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == Goal.Status.ENDED


@pytest.mark.parametrize("persona", ["alice", "sam"])
def test_others_cannot_set_update_or_end_goals(client, firm, persona, request):
    goal = _goal(Measure.MANUAL, "2026-06-01", "2026-09-30", 4, 24, manual_label="x")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("dashboard:goal_new")).status_code == 404
    assert client.post(reverse("dashboard:goal_new"), GOOD).status_code == 404
    assert (
        client.post(reverse("dashboard:goal_progress", args=[goal.pk]), {"value": 9}).status_code
        == 404
    )
    assert client.post(reverse("dashboard:goal_end", args=[goal.pk])).status_code == 404
    goal.refresh_from_db()
    assert goal.status == Goal.Status.ACTIVE and goal.manual_value is None
    assert not Goal.objects.exclude(pk=goal.pk).exists()


# --- the home page ---------------------------------------------------------------------------


@pytest.fixture
def two_goals(firm, pat):
    firm_goal = _goal(
        Measure.ACTIONS_VERIFIED, "2026-02-01", "2026-06-30", 2, 6, title="Verify six actions"
    )
    boston = _goal(
        Measure.FEES_LOST,
        "2026-01-01",
        "2026-08-31",
        120000,
        60000,
        firm.offices.boston,
        title="Halve the fees Boston loses",
    )
    hartford = _goal(
        Measure.MANUAL,
        "2026-05-01",
        "2026-08-31",
        10,
        24,
        firm.offices.hartford,
        manual_label="key clients with a backup partner",
        title="Every key client has a backup partner",
    )
    return firm_goal, boston, hartford


def test_every_member_sees_the_firm_goal_and_their_office_goal(client, firm, two_goals, sam):
    sam.office = firm.offices.boston
    sam.save()
    client.force_login(sam)
    page = client.get(reverse("home")).content.decode()
    assert "Verify six actions" in page and "Halve the fees Boston loses" in page
    assert "Every key client has a backup partner" not in page
    assert "$95,000</strong> of at most $60,000" in page
    assert "End this goal" not in page


def test_a_renamed_office_shows_on_its_kept_goal_at_once(client, firm, two_goals, sam):
    sam.office = firm.offices.boston
    sam.save()
    client.force_login(sam)
    assert "Boston ·" in client.get(reverse("home")).content.decode()
    firm.offices.boston.name = "Boston Harbor"
    firm.offices.boston.save()
    assert "Boston Harbor ·" in client.get(reverse("home")).content.decode()


def test_someone_without_an_office_sees_the_firm_goal(client, firm, two_goals, bob):
    client.force_login(bob)
    page = client.get(reverse("home")).content.decode()
    assert "Verify six actions" in page and "Boston loses" not in page


def test_the_partners_dashboard_shows_every_active_goal_with_its_buttons(
    client, firm, two_goals, pat
):
    client.force_login(pat)
    page = client.get(reverse("dashboard:index")).content.decode()
    for title in ("Verify six actions", "Halve the fees Boston loses", "backup partner"):
        assert title in page
    assert page.count("End this goal") == 3 and page.count("Update the number") == 1


@pytest.mark.parametrize("persona", ["pat", "alice", "sam"])
def test_the_home_page_runs_the_same_queries_with_goals_and_more_data(
    client, firm, two_goals, persona, request, django_assert_num_queries
):
    from tests.factories import ActionFactory, ClientFactory, ExitInterviewFactory

    user = request.getfixturevalue(persona)
    user.office = firm.offices.boston
    user.save()
    client.force_login(user)
    client.get(reverse("home"))
    # Two goals on the page (the firm's, Boston's), rendered by the first view and kept until a
    # goal changes or for a few minutes (goals.MEASURE_SECONDS): no query of their own.
    expected = HOME_QUERIES[persona]
    with django_assert_num_queries(expected):
        client.get(reverse("home"))
    ActionFactory.create_batch(10, owner=user, status="verified", evidence="e")
    for _ in range(5):
        ExitInterviewFactory(
            client=ClientFactory(office=firm.offices.boston, lost_on=D("2026-05-01")),
            client_primary_reason=firm.reasons.S,
        )
    with django_assert_num_queries(expected):
        client.get(reverse("home"))


HOME_QUERIES = {"pat": 10, "alice": 9, "sam": 8}  # as tests/dashboard/test_home.py
