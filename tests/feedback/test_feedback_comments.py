"""Discussing a client's response: the account manager and partners comment on its page, an
@mention tells a colleague who may see it, and nothing names who wrote the feedback."""

import pytest
from django.urls import reverse

from actions.models import Notification
from feedback.models import FeedbackComment
from tests.factories import ClientFactory, FeedbackResponseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def response(alice, pat):
    acme = ClientFactory(name="Acme Holdings", account_manager=alice, relationship_partner=pat)
    return FeedbackResponseFactory(
        client=acme,
        request__client=acme,
        do_better="Answer the phone",
        contact_name="Carla Private",
        contact_consent=False,
    )


def test_the_account_manager_comments_and_mentions_a_partner(client, alice, pat, response):
    client.force_login(alice)
    page = client.post(
        response.get_absolute_url(), {"text": "@pat shall we call them?"}, follow=True
    )
    assert "Told Pat Lindqvist." in page.content.decode()
    assert "@pat shall we call them?" in page.content.decode()
    note = Notification.objects.get(recipient=pat)
    assert note.text == (
        "Alice Moreno mentioned you on feedback about Acme Holdings: @pat shall we call them?"
    )
    assert note.url == response.get_absolute_url() and "Carla" not in note.text


def test_a_colleague_who_cannot_see_the_feedback_is_not_told(client, alice, bob, response):
    client.force_login(alice)
    page = client.post(response.get_absolute_url(), {"text": "cc @bob"}, follow=True)
    assert "Not told (they cannot see this feedback): Bob Chen." in page.content.decode()
    assert not Notification.objects.filter(recipient=bob).exists()


def test_htmx_swaps_the_discussion_in_place(client, alice, response):
    client.force_login(alice)
    swapped = client.post(
        response.get_absolute_url(), {"text": "Calling Friday"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="feedback-comments"' in swapped and "Calling Friday" in swapped
    assert "<html" not in swapped


def test_an_empty_comment_is_refused_next_to_the_box(client, alice, response):
    client.force_login(alice)
    page = client.post(response.get_absolute_url(), {"text": "  "})
    assert page.status_code == 200 and "text" in page.context["comment_form"].errors
    assert not FeedbackComment.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "fran", "sam"])
def test_only_its_triagers_see_or_discuss_it(client, request, response, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(response.get_absolute_url()).status_code == 404
    assert client.post(response.get_absolute_url(), {"text": "hi"}).status_code == 404
    assert not FeedbackComment.objects.exists()


def test_the_triage_list_counts_the_comments(client, alice, response):
    FeedbackComment.objects.create(response=response, author=alice, text="One")
    FeedbackComment.objects.create(response=response, author=alice, text="Two")
    client.force_login(alice)
    page = client.get(reverse("feedback:feedback_triage")).content.decode()
    assert "Discuss (2)" in page
