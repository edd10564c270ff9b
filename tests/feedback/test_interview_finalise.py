import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from feedback.models import Client
from tests.factories import ExitInterviewFactory, loss_reason

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(client_a):
    return ExitInterviewFactory(
        client=client_a, status="draft", client_primary_reason=loss_reason("not reachable")
    )


def _url(interview):
    return reverse("feedback:interview_finalise", args=[interview.pk])


def test_finalising_marks_client_lost(client, alice, draft):
    client.force_login(alice)
    lost_on = timezone.localdate() - dt.timedelta(days=3)
    response = client.post(_url(draft), {"mark_client_lost": "on", "client_lost_on": lost_on})
    assert response.status_code == 302
    draft.refresh_from_db()
    draft.client.refresh_from_db()
    assert draft.status == "final"
    assert draft.client.status == Client.Status.LOST
    assert draft.client.lost_on == lost_on
    event = AuditEvent.objects.get(verb="update", object_id=str(draft.pk))
    assert event.detail["status"] == "final"


def test_finalising_leaves_the_client_when_told(client, alice, draft):
    client.force_login(alice)
    client.post(_url(draft), {})
    draft.client.refresh_from_db()
    assert draft.client.status == Client.Status.ACTIVE


def test_finalising_requires_post(client, alice, draft):
    client.force_login(alice)
    assert client.get(_url(draft)).status_code == 405


def test_finalising_404s_for_other_account_manager(client, bob, draft):
    client.force_login(bob)
    assert client.post(_url(draft), {"mark_client_lost": "on"}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert AuditEvent.objects.filter(actor=bob, verb="denied").exists()


def test_finalising_sends_an_unfinished_draft_back_to_the_form(client, alice, client_a):
    empty = ExitInterviewFactory(client=client_a, status="draft", client_words="")
    client.force_login(alice)
    response = client.post(_url(empty), {"mark_client_lost": "on"})
    assert response["Location"] == reverse("feedback:interview_edit", args=[empty.pk])
    empty.refresh_from_db()
    assert empty.status == "draft"


def test_finalising_rejects_a_future_loss_date(client, alice, draft):
    client.force_login(alice)
    response = client.post(_url(draft), {"mark_client_lost": "on", "client_lost_on": "2999-01-01"})
    draft.refresh_from_db()
    assert draft.status == "draft"
    # The page comes back with the error next to the date and the date as typed.
    assert response.status_code == 200
    assert response.context["finalise_form"].errors["client_lost_on"]
    assert 'value="2999-01-01"' in response.content.decode()
