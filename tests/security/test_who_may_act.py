"""Who may act on what, asked of the rules themselves (the models' querysets and methods next
to visible_to), for every persona. The views fetch through these rules and the services refuse
through them, so this table is the one statement of who may change, run, verify, publish,
triage and plan; the permission matrix checks that the pages answer accordingly."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role
from actions.models import Action
from dashboard import services as dashboard_services
from dashboard.models import Goal
from feedback import services as feedback_services
from feedback.models import Client, FeedbackResponse, SaveAttempt, Suggestion
from retrospectives import services as retro_services
from retrospectives.models import AuditSchedule, Lesson, Review
from tests.factories import (
    ActionFactory,
    ClientFactory,
    ContributionFactory,
    FeedbackResponseFactory,
    LessonFactory,
    ReviewFactory,
    ServiceLineFactory,
    UserFactory,
)

PERSONAS = ("alice", "bob", "fran", "pat", "sam", "deactivated", "admin")


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", is_superuser=True)


@pytest.fixture
def people(request):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


@pytest.fixture
def world(alice, bob, fran, pat):
    client_a = ClientFactory(name="Client A", account_manager=alice)
    ClientFactory(name="Client B", account_manager=bob)
    review = ReviewFactory(facilitator=fran)
    review.clients.add(client_a)
    note = ContributionFactory(review=review, author=alice)
    return {
        "client": client_a,
        "review": review,
        "note": note,
        "action": ActionFactory(owner=alice, source_review=review, client=client_a),
        "response": FeedbackResponseFactory(request__client=client_a),
        "suggestion": feedback_services.submit_suggestion(
            text="A named backup partner for every key client.", by=bob, anonymous=True
        ).suggestion,
        "draft": LessonFactory(review=review, created_by=fran, status=Lesson.Status.DRAFT),
        "published": LessonFactory(created_by=pat, status=Lesson.Status.PUBLISHED),
        "goal": Goal.objects.create(
            title="Fewer controllable losses",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + dt.timedelta(days=90),
            measure=Goal.Measure.CONTROLLABLE_LOSSES,
            baseline=10,
            target=5,
        ),
    }


def _who(people, allowed) -> set[str]:
    return {name for name, user in people.items() if allowed(user)}


def _in(queryset_of, record):
    return lambda user: queryset_of(user).filter(pk=record.pk).exists()


# rule → the personas it lets act (an admin holds every role; a deactivated account none).
RULES = {
    "action: manage (start, complete, drop, re-date, edit, pilot)": (
        lambda w: lambda user: w["action"].manageable_by(user),
        {"alice", "pat", "admin"},
    ),
    "action: verify": (
        lambda w: lambda user: w["action"].verifiable_by(user),
        {"fran", "pat", "admin"},
    ),
    "action: reassign": (
        lambda w: lambda user: w["action"].reassignable_by(user),
        {"fran", "pat", "admin"},
    ),
    "action: reopen while still open": (
        lambda w: lambda user: w["action"].reopenable_by(user),
        {"fran", "pat", "admin"},
    ),
    "action: snooze": (
        lambda w: lambda user: w["action"].snoozable_by(user),
        {"alice"},
    ),
    "action: see every action (list, export, assign new ones)": (
        lambda w: lambda user: user.has_any_role(*Action.OVERSEERS),
        {"fran", "pat", "admin"},
    ),
    "client: add clients": (
        lambda w: lambda user: user.has_any_role(*Client.EDITORS),
        {"alice", "bob", "pat", "admin"},
    ),
    "client: edit this client": (
        lambda w: _in(Client.objects.editable_by, w["client"]),
        {"alice", "pat", "admin"},
    ),
    "feedback: triage this response": (
        lambda w: _in(FeedbackResponse.objects.visible_to, w["response"]),
        {"alice", "pat", "admin"},
    ),
    "feedback: reach the triage pages": (
        lambda w: lambda user: user.has_any_role(*FeedbackResponse.TRIAGERS),
        {"alice", "bob", "pat", "admin"},
    ),
    "suggestion: triage": (
        lambda w: _in(Suggestion.objects.triageable_by, w["suggestion"]),
        {"fran", "pat", "admin"},
    ),
    "review: plan": (
        lambda w: Review.can_be_planned_by,
        {"fran", "pat", "admin"},
    ),
    "review: run (console, presenter, moderation)": (
        lambda w: _in(Review.objects.runnable_by, w["review"]),
        {"fran", "pat", "admin"},
    ),
    "review: run, asked of the review in hand": (
        lambda w: lambda user: w["review"].is_runnable_by(user),
        {"fran", "pat", "admin"},
    ),
    "lesson: edit and publish a draft": (
        lambda w: _in(Lesson.objects.editable_by, w["draft"]),
        {"fran", "pat", "admin"},
    ),
    "lesson: edit a published lesson someone else wrote": (
        lambda w: _in(Lesson.objects.editable_by, w["published"]),
        {"pat", "admin"},
    ),
    "goal: set, update, end": (
        lambda w: _in(Goal.objects.changeable_by, w["goal"]),
        {"pat", "admin"},
    ),
    "audit: set up recurring audits": (
        lambda w: lambda user: user.has_any_role(*AuditSchedule.SET_UP_BY),
        {"pat", "admin"},
    ),
}


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_lets_exactly_these_personas_act(rule, people, world):
    rule_for, expected = RULES[rule]
    assert _who(people, rule_for(world)) == expected


def test_each_rule_lets_the_owner_reopen_what_they_closed_but_never_verify_it(people, world):
    action = world["action"]
    action.status = Action.Status.DONE
    assert _who(people, action.reopenable_by) == {"alice", "fran", "pat", "admin"}
    assert "alice" not in _who(people, action.verifiable_by)


def test_each_rule_never_lets_a_partner_verify_their_own_action_but_lets_them_reassign_it(pat):
    action = ActionFactory(owner=pat)
    assert not action.verifiable_by(pat)
    assert action.reassignable_by(pat)


def test_each_rule_agrees_on_running_a_review_in_hand_and_in_a_queryset(people, world, fran):
    other = ReviewFactory()
    for review in (world["review"], other):
        in_hand = _who(people, review.is_runnable_by)
        queried = _who(people, _in(Review.objects.runnable_by, review))
        assert in_hand == queried


def test_each_rule_reads_an_admin_as_holding_every_role(admin, deactivated):
    assert admin.has_any_role(*Role)
    assert not deactivated.has_any_role(*Role)
    assert not UserFactory(roles=[Role.FACILITATOR]).has_any_role(Role.PARTNER)


# The services keep a defensive check that asks the same rule.


def test_each_rule_refuses_planning_a_review_in_the_service(alice):
    with pytest.raises(ValidationError, match="plan reviews"):
        retro_services.plan_review(review=Review(title="Loss of Client A"), by=alice)


@pytest.mark.parametrize("persona", ["alice", "bob", "sam"])
def test_each_rule_refuses_running_a_review_in_the_services(request, persona, world):
    user, review, note = request.getfixturevalue(persona), world["review"], world["note"]
    later = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(ValidationError, match="facilitator or a partner"):
        retro_services.reschedule_review(review=review, by=user, scheduled_for=later)
    with pytest.raises(ValidationError, match="facilitator or a partner"):
        retro_services.cancel_review(review=review, by=user)
    with pytest.raises(ValidationError, match="facilitator or a partner"):
        retro_services.note_to_lesson(note=note, by=user)
    with pytest.raises(ValidationError, match="facilitator or a partner"):
        retro_services.note_to_action(
            note=note, by=user, title="Call back", owner=user, due_on=timezone.localdate()
        )
    review.refresh_from_db()
    assert review.status == Review.Status.PLANNED


def test_each_rule_refuses_setting_up_an_audit_in_the_service(fran, pat):
    schedule = AuditSchedule(
        service_line=ServiceLineFactory(name="Payroll"),
        facilitator=fran,
        frequency=AuditSchedule.Frequency.MONTHLY,
        starts_on=timezone.localdate() + dt.timedelta(days=10),
        time_of_day=dt.time(9, 0),
    )
    with pytest.raises(ValidationError, match="Only a partner"):
        retro_services.create_audit_schedule(schedule=schedule, by=fran)
    assert not AuditSchedule.objects.exists()
    schedule = retro_services.create_audit_schedule(schedule=schedule, by=pat)
    with pytest.raises(ValidationError, match="Only a partner"):
        retro_services.set_schedule_status(
            schedule=schedule, by=fran, status=AuditSchedule.Status.PAUSED
        )


def test_each_rule_refuses_ending_a_goal_in_the_service(alice, world):
    with pytest.raises(ValidationError, match="Only a partner"):
        dashboard_services.end_goal(goal=world["goal"], by=alice)


@pytest.mark.parametrize("persona", ["bob", "fran", "sam"])
def test_each_rule_refuses_handling_feedback_in_the_services(request, persona, world):
    user, response = request.getfixturevalue(persona), world["response"]
    with pytest.raises(ValidationError, match="handles this"):
        feedback_services.triage_response(response=response, by=user, handled=True)
    with pytest.raises(ValidationError, match="handles this"):
        feedback_services.mark_urgent(response=response, by=user)
    with pytest.raises(ValidationError, match="handles this"):
        feedback_services.reply_to_feedback(response=response, by=user, text="Thank you.")
    with pytest.raises(ValidationError, match="handles this"):
        feedback_services.create_action_from_feedback(
            response=response, by=user, title="Call", owner=user, due_on=timezone.localdate()
        )
    response.refresh_from_db()
    assert response.triage == FeedbackResponse.Triage.NEW
    assert response.marked_urgent_at is None


@pytest.mark.parametrize("persona", ["bob", "fran", "sam"])
def test_each_rule_refuses_a_client_link_to_anyone_who_may_not_edit_the_client(
    request, persona, world
):
    user, client = request.getfixturevalue(persona), world["client"]
    with pytest.raises(ValidationError, match="manages its link"):
        feedback_services.issue_feedback_link(client=client, by=user)
    with pytest.raises(ValidationError, match="manages its link"):
        feedback_services.revoke_feedback_link(client=client, by=user)
    assert not client.feedback_requests.filter(created_by=user).exists()


def test_each_rule_refuses_the_firm_wide_link_and_imports_to_anyone_but_a_partner(alice, pat):
    with pytest.raises(ValidationError, match="manages its link"):
        feedback_services.issue_feedback_link(client=None, by=alice)
    with pytest.raises(ValidationError, match="import"):
        feedback_services.import_clients(data=b"name\nNew Client LLC\n", by=alice)
    assert not Client.objects.filter(name="New Client LLC").exists()
    assert feedback_services.issue_feedback_link(client=None, by=pat).client is None


def test_each_rule_refuses_working_a_save_attempt_one_may_not_see(alice, bob, world):
    attempt = SaveAttempt.objects.create(
        client=world["client"],
        owner=alice,
        trigger=SaveAttempt.Trigger.LOW_RATING,
        first_contact_due_on=timezone.localdate() + dt.timedelta(days=2),
        client_status_before=Client.Status.ACTIVE,
    )
    with pytest.raises(ValidationError, match="owner, the account manager or a partner"):
        feedback_services.record_first_contact(
            attempt=attempt, by=bob, contacted_on=timezone.localdate(), note="Called."
        )
    with pytest.raises(ValidationError, match="owner, the account manager or a partner"):
        feedback_services.close_save_attempt(
            attempt=attempt, by=bob, outcome=SaveAttempt.Status.SAVED, note="Fine."
        )
    attempt.refresh_from_db()
    assert attempt.first_contact_on is None and attempt.status == SaveAttempt.Status.OPEN
