"""A planned or live review can be changed after planning: its title, kind, clients, exit
interviews and invitees, by its facilitator or a partner, with the planning form's rules. People
added get an invitation, everyone still invited the updated invite (next SEQUENCE, REQUEST),
people removed a cancellation (CANCEL); someone who has joined stays. Audited field by field."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from icalendar import Calendar

from accounts.models import AuditEvent, Role
from feedback.models import ExitInterview
from retrospectives.models import SCRIPTS, AuditSchedule, Participant, Phase, Review
from tests.factories import (
    ClientFactory,
    ExitInterviewFactory,
    ParticipantFactory,
    ServiceLineFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://learn.example.com"


@pytest.fixture
def bob_invited(review, bob):
    """bob is invited to fran's review but has not joined yet."""
    return ParticipantFactory(review=review, user=bob, joined_at=None)


def _url(review):
    return reverse("retrospectives:review_edit", args=[review.pk])


def _data(review, **extra):
    return {
        "title": review.title,
        "kind": review.kind,
        "clients": list(review.clients.values_list("pk", flat=True)),
        "exit_interviews": list(review.exit_interviews.values_list("pk", flat=True)),
        "invited": list(review.participants.values_list("user_id", flat=True)),
        **extra,
    }


def _sent():
    """{recipient: (subject, calendar part's method, parsed VEVENT, calendar METHOD)}."""
    found = {}
    for message in mail.outbox:
        (part,) = [a for a in message.attachments if a.get_content_type() == "text/calendar"]
        calendar = Calendar.from_ical(part.get_payload(decode=True))
        (event,) = calendar.walk("VEVENT")
        found[message.to[0]] = (message.subject, part.get_param("method"), event, calendar)
    return found


def _attendees(event) -> set[str]:
    value = event.get("attendee", [])
    return {str(a) for a in (value if isinstance(value, list) else [value])}


def test_the_review_edit_page_shows_the_planning_form_filled_in(
    client, review, fran, alice, sam, bob_invited
):
    client.force_login(fran)
    response = client.get(_url(review))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields) == {"title", "kind", "clients", "exit_interviews", "invited"}
    assert set(form.initial["invited"]) == {alice.pk, sam.pk, bob_invited.user_id}
    page = response.content.decode()
    assert 'value="Harbor Freight loss"' in page
    assert 'for="id_title"' in page


def test_the_review_edit_page_changes_the_title_kind_clients_and_interviews(
    client, review, fran, alice
):
    harbor = ClientFactory(name="Harbor Freight LLC", account_manager=alice)
    interview = ExitInterviewFactory(client=harbor, interviewer=alice)
    client.force_login(fran)
    response = client.post(
        _url(review),
        _data(
            review,
            title="How we kept Harbor",
            kind=Review.Kind.CLIENT_SAVE,
            clients=[harbor.pk],
            exit_interviews=[interview.pk],
        ),
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.title == "How we kept Harbor"
    assert review.kind == Review.Kind.CLIENT_SAVE
    assert list(review.clients.all()) == [harbor]
    assert list(review.exit_interviews.all()) == [interview]
    event = AuditEvent.objects.get(
        verb="update", object_type="retrospectives.review", object_id=str(review.pk)
    )
    assert event.actor == fran
    assert event.detail["title"] == ["Harbor Freight loss", "How we kept Harbor"]
    assert event.detail["kind"] == ["client_loss", "client_save"]
    assert event.detail["clients"] == [[], [harbor.pk]]
    assert event.detail["exit_interviews"] == [[], [interview.pk]]
    # Attaching the interview is audited on the interview too, as when planning.
    assert AuditEvent.objects.filter(object_id=str(interview.pk), verb="update").exists()


@pytest.mark.parametrize(
    ("title", "error"),
    [
        ("Harbor\nloss", "Keep this to one line: remove the line breaks and tabs."),
        ("Harbor\tloss", "Keep this to one line: remove the line breaks and tabs."),
        ("   ", "This field is required."),
        ("x" * 201, "Ensure this value has at most 200 characters (it has 201)."),
    ],
)
def test_the_review_edit_page_refuses_a_bad_title_next_to_the_field_and_keeps_what_was_typed(
    client, review, fran, title, error
):
    harbor = ClientFactory(name="Harbor Freight LLC")
    client.force_login(fran)
    response = client.post(
        _url(review), _data(review, title=title, kind=Review.Kind.WIN, clients=[harbor.pk])
    )
    assert response.status_code == 400
    assert response.context["form"].errors["title"] == [error]
    page = response.content.decode()
    assert '<option value="win" selected>' in page
    assert "Harbor Freight LLC" in page
    review.refresh_from_db()
    assert review.title == "Harbor Freight loss"
    assert review.kind == Review.Kind.CLIENT_LOSS
    assert not review.clients.exists()
    assert not mail.outbox


def test_the_review_edit_page_refuses_an_unknown_kind(client, review, fran):
    client.force_login(fran)
    response = client.post(_url(review), _data(review, kind="blame_game"))
    assert response.status_code == 400
    assert "kind" in response.context["form"].errors


def test_the_review_edit_page_refuses_interviews_a_facilitator_may_not_attach(
    client, review, fran, alice
):
    draft = ExitInterviewFactory(
        client=ClientFactory(account_manager=alice),
        interviewer=alice,
        status=ExitInterview.Status.DRAFT,
    )
    client.force_login(fran)
    response = client.post(_url(review), _data(review, exit_interviews=[draft.pk]))
    assert response.status_code == 400
    assert "still a draft" in response.context["form"].errors["exit_interviews"][0]
    assert not review.exit_interviews.exists()


def test_the_review_edit_page_keeps_an_interview_a_partner_attached(client, review, fran, alice):
    restricted = ExitInterviewFactory(
        client=ClientFactory(account_manager=alice), interviewer=alice, restricted=True
    )
    review.exit_interviews.add(restricted)
    client.force_login(fran)
    response = client.post(_url(review), _data(review, title="Renamed", exit_interviews=[]))
    assert response.status_code == 302
    assert list(review.exit_interviews.all()) == [restricted]


@pytest.mark.parametrize("who", ["alice", "sam", "bob"])
def test_the_review_edit_page_404s_for_participants_and_others(client, review, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(review)).status_code == 404
    assert client.post(_url(review), _data(review, title="Mine now")).status_code == 404
    review.refresh_from_db()
    assert review.title == "Harbor Freight loss"


def test_the_review_edit_page_404s_for_another_facilitator(client, review):
    other = UserFactory(username="otto", roles=[Role.FACILITATOR])
    client.force_login(other)
    assert client.get(_url(review)).status_code == 404


def test_a_partner_may_edit(client, review, pat):
    client.force_login(pat)
    response = client.post(_url(review), _data(review, title="Renamed by a partner"))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.title == "Renamed by a partner"


def test_the_review_page_links_the_edit_page_for_those_who_may_edit(client, review, fran, alice):
    client.force_login(fran)
    assert f'href="{_url(review)}"' in client.get(review.get_absolute_url()).content.decode()
    client.force_login(alice)
    assert _url(review) not in client.get(review.get_absolute_url()).content.decode()


@pytest.mark.parametrize("status", [Review.Status.CLOSED, Review.Status.CANCELLED])
def test_an_ended_review_cannot_be_changed(client, review, fran, status):
    review.status = status
    review.save()
    client.force_login(fran)
    response = client.post(_url(review), _data(review, title="Too late"), follow=True)
    assert "can no longer be changed" in response.content.decode()
    review.refresh_from_db()
    assert review.title == "Harbor Freight loss"
    assert _url(review) not in client.get(review.get_absolute_url()).content.decode()


def test_a_live_review_may_change_kind_and_the_screens_follow(client, live_review, fran):
    version = Review.objects.get(pk=live_review.pk).version
    client.force_login(fran)
    response = client.post(_url(live_review), _data(live_review, kind=Review.Kind.NEAR_MISS))
    assert response.status_code == 302
    assert Review.objects.get(pk=live_review.pk).version > version  # open screens refresh
    board = client.get(reverse("retrospectives:present_board", args=[live_review.pk]))
    page = board.content.decode()
    assert escape(SCRIPTS[Review.Kind.NEAR_MISS].prompt(Phase.ACTUAL)) in page
    assert "What nearly went wrong" in page


def test_an_audit_of_a_recurring_schedule_stays_an_audit(client, review, fran, pat):
    schedule = AuditSchedule.objects.create(
        service_line=ServiceLineFactory(name="Payroll"),
        facilitator=fran,
        starts_on="2027-01-04",
        time_of_day="09:00",
    )
    review.kind, review.schedule = Review.Kind.PROCESS_AUDIT, schedule
    review.save()
    client.force_login(pat)
    response = client.post(_url(review), _data(review, kind=Review.Kind.WIN))
    assert response.status_code == 400
    assert response.context["form"].errors["kind"] == [
        "This review is a date of a recurring process audit; it stays an audit."
    ]
    review.refresh_from_db()
    assert review.kind == Review.Kind.PROCESS_AUDIT


# Invites ---------------------------------------------------------------------------------------


def test_added_invitees_get_an_invitation_and_everyone_the_updated_invite(
    client, review, fran, alice, sam, django_capture_on_commit_callbacks
):
    newcomer = UserFactory(username="nia", display_name="Nia Park")
    client.force_login(fran)
    data = _data(review, invited=[alice.pk, sam.pk, newcomer.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(_url(review), data)
    assert not mail.outbox  # nothing leaves before the change is committed
    for callback in callbacks:
        callback()
    review.refresh_from_db()
    assert review.invite_sequence == 1
    assert Participant.objects.filter(review=review, user=newcomer, joined_at=None).exists()
    sent = _sent()
    assert set(sent) == {fran.email, alice.email, sam.email, newcomer.email}
    for to, (_, method, event, calendar) in sent.items():
        assert method == calendar["method"] == "REQUEST", to
        assert event["sequence"] == 1
        assert str(event["uid"]) == f"review-{review.pk}@learn.example.com"
        assert str(event["status"]) == "CONFIRMED"
        assert f"mailto:{newcomer.email}" in _attendees(event)
    assert sent[newcomer.email][0].startswith("Invitation: Harbor Freight loss")
    assert sent[alice.email][0].startswith("Updated: Harbor Freight loss")
    assert AuditEvent.objects.get(object_id=str(review.pk)).detail["invited_added"] == [newcomer.pk]


def test_removed_invitees_get_a_cancellation(
    client, review, fran, alice, sam, bob, bob_invited, django_capture_on_commit_callbacks
):
    client.force_login(fran)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(review), _data(review, invited=[alice.pk, sam.pk]))
    assert response.status_code == 302
    assert not Participant.objects.filter(review=review, user=bob).exists()
    sent = _sent()
    subject, method, event, calendar = sent[bob.email]
    assert method == calendar["method"] == "CANCEL"
    assert str(event["status"]) == "CANCELLED"
    assert event["sequence"] == 1
    assert str(event["uid"]) == f"review-{review.pk}@learn.example.com"
    assert _attendees(event) == {f"mailto:{bob.email}"}
    assert subject.startswith("Cancelled: ")
    assert "no longer invited" in mail.outbox[[m.to[0] for m in mail.outbox].index(bob.email)].body
    for to in (fran.email, alice.email, sam.email):
        _, method, event, _ = sent[to]
        assert method == "REQUEST"
        assert f"mailto:{bob.email}" not in _attendees(event)
    assert AuditEvent.objects.get(object_id=str(review.pk)).detail["invited_removed"] == [bob.pk]


def test_someone_who_joined_stays_in_the_review(client, review, fran, alice, sam):
    client.force_login(fran)
    response = client.post(_url(review), _data(review, title="Renamed", invited=[sam.pk]))
    assert response.status_code == 400
    assert response.context["form"].errors["invited"] == [
        "Already joined, so they stay in the review: Alice Moreno."
    ]
    assert 'value="Renamed"' in response.content.decode()
    assert Participant.objects.filter(review=review, user=alice).exists()
    review.refresh_from_db()
    assert review.title == "Harbor Freight loss"
    assert not mail.outbox


def test_a_change_the_invite_does_not_show_sends_nothing(
    client, review, fran, django_capture_on_commit_callbacks
):
    harbor = ClientFactory(name="Harbor Freight LLC")
    client.force_login(fran)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(review), _data(review, clients=[harbor.pk]))
    review.refresh_from_db()
    assert review.invite_sequence == 0
    assert not mail.outbox
    assert AuditEvent.objects.get(object_id=str(review.pk)).detail == {"clients": [[], [harbor.pk]]}


def test_saving_without_a_change_records_and_sends_nothing(
    client, review, fran, django_capture_on_commit_callbacks
):
    client.force_login(fran)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(review), _data(review))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.invite_sequence == 0
    assert not mail.outbox
    assert not AuditEvent.objects.filter(object_id=str(review.pk), verb="update").exists()


def test_a_new_title_reaches_the_calendar(client, review, fran, django_capture_on_commit_callbacks):
    client.force_login(fran)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(review), _data(review, title="Harbor: what we learned"))
    for _, (_, _, event, _) in _sent().items():
        assert str(event["summary"]) == "Harbor: what we learned"
        assert event["sequence"] == 1
