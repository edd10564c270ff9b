"""An action's thread: owners, verifiers and partners comment beside its status changes, and an
@mention tells the colleague, if they may see the action."""

import pytest
from django.urls import reverse

from actions import services
from actions.models import ActionEvent, Notification
from tests.factories import ActionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(action):
    return reverse("actions:action_comment", args=[action.pk])


@pytest.fixture
def action(alice, pat):
    return ActionFactory(owner=alice, created_by=pat, title="Publish the escalation roster")


def test_a_comment_joins_the_history_beside_the_status_changes(client, alice, action):
    services.start_action(action=action, by=alice)
    client.force_login(alice)
    client.post(_url(action), {"text": "Draft is with the partners."})
    history = list(action.events.values_list("is_comment", "note"))
    assert history[-1] == (True, "Draft is with the partners.")
    page = client.get(action.get_absolute_url()).content.decode()
    assert "commented" in page and "Draft is with the partners." in page


def test_htmx_swaps_the_thread_without_a_reload(client, alice, action):
    client.force_login(alice)
    response = client.post(_url(action), {"text": "Done by Friday"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="action-thread"' in body and "Done by Friday" in body
    assert "<html" not in body


def test_a_mention_tells_a_colleague_who_can_see_the_action(client, alice, pat, action):
    client.force_login(alice)
    response = client.post(_url(action), {"text": "@Pat can you check the draft?"}, follow=True)
    assert "Told Pat Lindqvist." in response.content.decode()
    note = Notification.objects.get(recipient=pat, event=Notification.Event.MENTIONED)
    assert note.text == (
        "Alice Moreno mentioned you on “Publish the escalation roster”: "
        "@Pat can you check the draft?"
    )
    assert note.url == action.get_absolute_url()


def test_a_colleague_who_cannot_see_the_action_is_not_told_and_the_writer_hears_so(
    client, alice, bob, action
):
    client.force_login(alice)
    response = client.post(_url(action), {"text": "Ask @bob about it"}, follow=True)
    assert "Not told (they cannot see this action): Bob Chen." in response.content.decode()
    assert not Notification.objects.filter(recipient=bob).exists()


def test_an_email_address_mentions_nobody(client, alice, pat, action):
    client.force_login(alice)
    client.post(_url(action), {"text": "Write to ops@pat.example"})
    assert not Notification.objects.filter(event=Notification.Event.MENTIONED).exists()


def test_mentioning_oneself_or_a_former_colleague_tells_nobody(client, alice, action):
    UserFactory(username="gone", is_active=False)
    client.force_login(alice)
    client.post(_url(action), {"text": "@alice and @gone"})
    assert not Notification.objects.filter(event=Notification.Event.MENTIONED).exists()


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_an_empty_or_overlong_comment_is_refused_next_to_the_box(client, alice, action, text):
    client.force_login(alice)
    response = client.post(_url(action), {"text": text})
    assert response.status_code == 200
    assert "text" in response.context["comment_form"].errors
    assert not ActionEvent.objects.filter(is_comment=True).exists()


def test_someone_who_cannot_see_the_action_cannot_comment(client, bob, action):
    client.force_login(bob)
    assert client.post(_url(action), {"text": "Hello"}).status_code == 404
    assert not ActionEvent.objects.filter(is_comment=True).exists()


def test_a_comment_is_shown_escaped(client, alice, action):
    client.force_login(alice)
    client.post(_url(action), {"text": "<script>alert(1)</script>"})
    page = client.get(action.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
