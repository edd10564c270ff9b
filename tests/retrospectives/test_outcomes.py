"""What the console turns notes into: five whys, actions, lessons; and what it recalls."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from retrospectives import services
from retrospectives.models import Lesson, Phase, WhyStep
from tests.factories import (
    ActionFactory,
    ClientFactory,
    ContributionFactory,
    LessonFactory,
    ReviewFactory,
    ServiceLineFactory,
    VoteFactory,
    loss_reason,
)

pytestmark = pytest.mark.django_db


def test_the_five_whys_start_from_the_top_voted_cause(client, fran, voting_review):
    ContributionFactory(review=voting_review, text="Minor cause")
    top = ContributionFactory(review=voting_review, text="Nobody owned the escalation")
    VoteFactory(contribution=top)
    VoteFactory(contribution=top)
    client.force_login(fran)
    console = client.get(reverse("retrospectives:review_console", args=[voting_review.pk]))
    assert console.context["top_cause"] == top
    url = reverse("retrospectives:review_whys", args=[voting_review.pk])
    client.post(url, {"cause": top.pk, "why1": "No named backup", "why2": "", "why3": "Busy"})
    assert list(WhyStep.objects.values_list("depth", "text")) == [
        (1, "No named backup"),
        (2, "Busy"),
    ]
    client.post(url, {"cause": top.pk, "why1": "Rewritten"})
    assert list(WhyStep.objects.values_list("text", flat=True)) == ["Rewritten"]


def test_a_note_becomes_an_action_with_owner_and_due_date(client, fran, bob, live_review):
    harbor = ClientFactory()
    live_review.clients.add(harbor)
    reason = loss_reason("not reachable")
    note = ContributionFactory(review=live_review, text="Name a backup partner", cause=reason)
    client.force_login(fran)
    url = reverse("retrospectives:note_action", args=[live_review.pk, note.pk])
    assert client.get(url).status_code == 200
    due = timezone.localdate() + dt.timedelta(days=30)
    response = client.post(url, {"title": "Name a backup partner", "owner": bob.pk, "due_on": due})
    action = Action.objects.get()
    assert response.status_code == 302
    assert (action.owner, action.due_on, action.created_by) == (bob, due, fran)
    assert action.source_review == live_review
    assert action.source_contribution == note
    assert action.client == harbor
    assert action.cause == reason


def test_an_action_due_in_the_past_is_refused_with_the_text_kept(client, fran, bob, live_review):
    note = ContributionFactory(review=live_review)
    client.force_login(fran)
    url = reverse("retrospectives:note_action", args=[live_review.pk, note.pk])
    response = client.post(url, {"title": "Keep me", "owner": bob.pk, "due_on": "2020-01-01"})
    assert response.status_code == 200
    assert "from today on" in response.content.decode()
    assert 'value="Keep me"' in response.content.decode()
    assert not Action.objects.exists()


def test_a_note_becomes_a_draft_lesson(client, fran, live_review):
    note = ContributionFactory(review=live_review, cause=loss_reason("not reachable"))
    client.force_login(fran)
    response = client.post(reverse("retrospectives:note_lesson", args=[live_review.pk, note.pk]))
    lesson = Lesson.objects.get()
    assert response.status_code == 302
    assert lesson.status == Lesson.Status.DRAFT
    assert lesson.statement_internal == note.text
    assert lesson.category == note.cause.category


def test_the_console_lists_open_actions_from_earlier_reviews(client, fran, live_review):
    tax = ServiceLineFactory(name="Tax")
    harbor = ClientFactory(service_lines=[tax])
    live_review.clients.add(harbor)
    earlier = ReviewFactory(title="Last year's review")
    earlier.clients.add(harbor)
    same_client = ActionFactory(title="Call clients back within a day", source_review=earlier)
    same_line = ActionFactory(
        title="Tax deadline calendar", client=ClientFactory(service_lines=[tax])
    )
    done = ActionFactory(
        title="Already done", source_review=earlier, status="done", evidence="Shipped"
    )
    unrelated = ActionFactory(title="Unrelated payroll thing")
    client.force_login(fran)
    page = client.get(reverse("retrospectives:review_console", args=[live_review.pk]))
    listed = {action.title for action in page.context["earlier_actions"]}
    assert {same_client.title, same_line.title} <= listed
    assert done.title not in listed
    assert unrelated.title not in listed


def test_a_note_that_matches_a_published_lesson_shows_discussed_before(client, fran, live_review):
    lesson = LessonFactory(
        statement_public="Key clients need a named backup partner during busy season.",
        status=Lesson.Status.PUBLISHED,
    )
    LessonFactory(statement_public="Send fee estimates before the work starts.")  # a draft
    ContributionFactory(review=live_review, text="No backup partner was named for busy season")
    ContributionFactory(review=live_review, text="The portal login kept failing")
    client.force_login(fran)
    page = client.get(reverse("retrospectives:console_notes", args=[live_review.pk]))
    html = page.content.decode()
    assert html.count("Discussed before") == 1
    assert lesson.get_absolute_url() in html


def test_closing_emails_the_report_after_commit(
    fran, alice, sam, live_review, mailoutbox, django_capture_on_commit_callbacks
):
    services.add_note(review=live_review, author=alice, text="Timeline event", anonymous=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.close_review(review=live_review, summary="We agreed two actions.")
    assert mailoutbox == []
    # The report's task, and the push that tells open screens the review closed.
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([fran.email, alice.email, sam.email])
    message = mailoutbox[0]
    assert message.subject == f"Review report: {live_review.title}"
    assert "We agreed two actions." in message.body
    assert "text/html" in message.alternatives[0][1]
    live_review.refresh_from_db()
    assert live_review.status == "closed"
    assert live_review.phase == Phase.CLOSE


def test_participants_rate_speaking_freely_after_the_end(client, alice, live_review):
    services.close_review(review=live_review)
    client.force_login(alice)
    url = reverse("retrospectives:speak_freely", args=[live_review.join_code])
    response = client.post(url, {"rating": "4"})
    assert response.status_code == 200
    assert live_review.participants.get(user=alice).speak_freely == 4
    assert client.post(url, {"rating": "9"}).status_code == 400
    report = client.get(reverse("retrospectives:review_report", args=[live_review.pk]))
    # One rating is one person's: counted, never shown as an average.
    assert "1 rating so far" in report.content.decode()
    assert "4.0" not in report.content.decode()


def test_ratings_wait_for_the_closing_phase(client, alice, live_review):
    client.force_login(alice)
    url = reverse("retrospectives:speak_freely", args=[live_review.join_code])
    assert client.post(url, {"rating": "3"}).status_code == 409
    assert live_review.participants.get(user=alice).speak_freely is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"cause": ""}, "cause", "Pick the cause to dig into."),
        ({"hide": True}, "cause", "hidden or merged since"),
        ({"why2": "x" * 501}, "why2", "at most 500 characters"),
    ],
)
def test_a_refused_five_whys_comes_back_as_typed(
    client, fran, voting_review, change, field, message
):
    top = ContributionFactory(review=voting_review, text="Nobody owned the escalation")
    client.force_login(fran)
    posted = {"cause": top.pk, "why1": "No named backup", "why2": "Busy season", **change}
    if posted.pop("hide", False):
        top.hidden = True
        top.save()
    url = reverse("retrospectives:review_whys", args=[voting_review.pk])
    response = client.post(url, posted)
    assert response.status_code == 200
    form = response.context["whys_form"]
    assert any(message in error for error in form.errors[field]), form.errors
    html = response.content.decode()
    assert 'value="No named backup"' in html
    assert not WhyStep.objects.exists()
