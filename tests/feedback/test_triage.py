import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from feedback import tasks
from feedback.models import FeedbackComment, FeedbackResponse
from tests.factories import (
    ActionFactory,
    ClientFactory,
    FeedbackResponseFactory,
    loss_reason,
)

pytestmark = pytest.mark.django_db

URL = reverse("feedback:feedback_triage")


@pytest.fixture
def response_a(client_a):
    return FeedbackResponseFactory(
        request__client=client_a,
        contact_name="Dana",
        contact_email="dana@example.com",
        contact_consent=True,
    )


@pytest.fixture
def response_b(client_b):
    return FeedbackResponseFactory(request__client=client_b, do_better="Bob's client speaking")


@pytest.fixture
def firm_wide():
    return FeedbackResponseFactory(request__client=None, do_better="Anyone speaking")


def test_account_managers_see_their_clients_feedback(
    client, alice, response_a, response_b, firm_wide
):
    client.force_login(alice)
    assert list(client.get(URL).context["page"]) == [response_a]


def test_partners_see_all_feedback(client, pat, response_a, response_b, firm_wide):
    client.force_login(pat)
    assert set(client.get(URL).context["page"]) == {response_a, response_b, firm_wide}


def test_triage_lists_the_newest_feedback_first_whatever_its_comments(client, pat, client_a):
    now = timezone.now()
    ages = [3, 1, 5, 2, 4]
    responses = [FeedbackResponseFactory(request__client=client_a) for _ in ages]
    for response, days in zip(responses, ages, strict=True):
        FeedbackResponse.objects.filter(pk=response.pk).update(
            submitted_at=now - dt.timedelta(days=days)
        )
    # Counting comments groups the rows, which drops the model's default order.
    FeedbackComment.objects.create(response=responses[2], author=pat, text="Seen.")
    client.force_login(pat)
    shown = list(client.get(URL).context["page"])
    assert shown == sorted(responses, key=lambda r: ages[responses.index(r)])


@pytest.mark.parametrize("persona", ["fran", "sam"])
def test_others_get_404(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 404


def test_triage_assigns_a_reason_links_an_action_and_marks_handled(
    client, alice, response_a, client_a
):
    action = ActionFactory(owner=alice, client=client_a)
    client.force_login(alice)
    reason = loss_reason("Fees")
    client.post(
        reverse("feedback:feedback_triage_update", args=[response_a.pk]),
        {"reason": reason.pk, "linked_action": action.pk, "handled": "on"},
    )
    response_a.refresh_from_db()
    assert response_a.reason == reason
    assert response_a.linked_action == action
    assert response_a.triage == FeedbackResponse.Triage.HANDLED
    assert response_a.handled_by == alice and response_a.handled_at is not None
    assert list(client.get(URL).context["page"]) == []
    assert list(client.get(URL, {"show": "handled"}).context["page"]) == [response_a]


def test_triage_refuses_to_link_someone_elses_action(client, alice, bob, response_a):
    foreign = ActionFactory(owner=bob)
    client.force_login(alice)
    client.post(
        reverse("feedback:feedback_triage_update", args=[response_a.pk]),
        {"linked_action": foreign.pk},
    )
    response_a.refresh_from_db()
    assert response_a.linked_action is None


def test_triage_404s_on_another_account_managers_feedback(client, alice, response_b):
    client.force_login(alice)
    url = reverse("feedback:feedback_triage_update", args=[response_b.pk])
    assert client.post(url, {"handled": "on"}).status_code == 404


def test_triage_creates_an_action_from_feedback(client, alice, response_a, client_a):
    client.force_login(alice)
    due = timezone.localdate() + dt.timedelta(days=20)
    response = client.post(
        reverse("feedback:feedback_action_new", args=[response_a.pk]),
        {"title": "Warn before extra bills", "owner": alice.pk, "due_on": due},
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.source_feedback, action.client, action.owner) == (response_a, client_a, alice)
    response_a.refresh_from_db()
    assert response_a.linked_action == action


def test_triage_refuses_a_past_due_date(client, alice, response_a):
    client.force_login(alice)
    response = client.post(
        reverse("feedback:feedback_action_new", args=[response_a.pk]),
        {"title": "Late", "owner": alice.pk, "due_on": "2000-01-01"},
    )
    assert "in the past" in response.context["form"].errors["due_on"][0]
    assert not Action.objects.exists()


def test_the_triage_list_uses_constant_queries(client, pat, django_assert_num_queries):
    def add(n):
        for _ in range(n):
            FeedbackResponseFactory(request__client=ClientFactory(), linked_action=ActionFactory())

    client.force_login(pat)
    add(5)
    client.get(URL, {"show": "all"})
    with CaptureQueriesContext(connection) as five:
        client.get(URL, {"show": "all"})
    add(45)
    with django_assert_num_queries(len(five.captured_queries)):
        client.get(URL, {"show": "all"})


@pytest.fixture
def verified(alice, response_a, client_a):
    action = ActionFactory(
        owner=alice,
        client=client_a,
        status="verified",
        evidence="We now send a cost estimate before any extra work.",
    )
    response_a.linked_action = action
    response_a.save()
    return action


def test_the_reply_is_prefilled_from_the_evidence(client, alice, response_a, verified):
    client.force_login(alice)
    response = client.get(reverse("feedback:feedback_reply", args=[response_a.pk]))
    text = response.context["form"]["text"].value()
    assert "We now send a cost estimate" in text and text.startswith("Dear Dana,")


def test_the_reply_is_sent_after_commit_and_recorded(
    client, alice, response_a, verified, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("feedback:feedback_reply", args=[response_a.pk]),
            {"text": "You said & we did: estimates first."},
        )
    response_a.refresh_from_db()
    assert response_a.reply_text == "You said & we did: estimates first."
    assert response_a.reply_sent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@example.com"]
    assert message.subject == "You said, we did: Acme Holdings"
    assert "You said & we did: estimates first." in message.body
    assert "You said &amp; we did" in message.alternatives[0][0]
    assert message.extra_headers["Message-ID"] == f"<feedback-reply-{response_a.pk}@learnorg>"


def test_the_reply_task_sends_once(alice, response_a, verified):
    response_a.reply_text = "Thanks"
    response_a.save()
    tasks.send_feedback_reply.delay(response_a.pk)
    tasks.send_feedback_reply.delay(response_a.pk)
    assert len(mail.outbox) == 1


def test_no_reply_before_the_action_is_verified(client, alice, response_a, client_a):
    response_a.linked_action = ActionFactory(owner=alice, client=client_a)
    response_a.save()
    client.force_login(alice)
    response = client.post(reverse("feedback:feedback_reply", args=[response_a.pk]), {"text": "x"})
    assert response.status_code == 302
    response_a.refresh_from_db()
    assert response_a.reply_text == ""


def test_no_reply_goes_to_a_client_who_did_not_consent(client, alice, response_a, verified):
    response_a.contact_consent = False
    response_a.save()
    client.force_login(alice)
    client.post(reverse("feedback:feedback_reply", args=[response_a.pk]), {"text": "x"})
    response_a.refresh_from_db()
    assert response_a.reply_text == ""


def test_the_list_offers_the_reply_once_verified(client, alice, response_a, verified):
    client.force_login(alice)
    assert "Reply: you said, we did" in client.get(URL).content.decode()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "{% debug %}", "not a url", ""]
)
def test_triage_only_returns_to_pages_of_this_site(client, alice, response_a, next_url):
    client.force_login(alice)
    url = reverse("feedback:feedback_triage_update", args=[response_a.pk])
    response = client.post(url, {"handled": "on", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == URL


def test_triage_returns_to_the_filtered_list(client, alice, response_a):
    client.force_login(alice)
    url = reverse("feedback:feedback_triage_update", args=[response_a.pk])
    response = client.post(url, {"next": f"{URL}?show=all"})
    assert response["Location"] == f"{URL}?show=all"


def test_replying_marks_the_response_handled(
    client, alice, response_a, verified, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("feedback:feedback_reply", args=[response_a.pk]), {"text": "Done."})
    response_a.refresh_from_db()
    assert (response_a.triage, response_a.handled_by) == ("handled", alice)
    assert response_a.handled_at is not None


def test_the_migration_marks_responses_already_replied_to_handled(response_a):
    FeedbackResponse.objects.filter(pk=response_a.pk).update(
        reply_text="Done.", reply_sent_at=timezone.now(), triage="new"
    )
    migration = importlib.import_module("feedback.migrations.0008_replied_feedback_is_handled")
    migration.handle_replied_responses(apps, None)
    response_a.refresh_from_db()
    assert response_a.triage == "handled"
