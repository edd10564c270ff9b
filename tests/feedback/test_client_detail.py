import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import (
    ActionFactory,
    ExitInterviewFactory,
    FeedbackResponseFactory,
    ParticipantFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


def _url(client_obj):
    return reverse("feedback:client_detail", args=[client_obj.pk])


def test_the_client_page_shows_interviews_feedback_reviews_and_open_actions(
    client, alice, client_a
):
    ExitInterviewFactory(client=client_a, held_on=dt.date(2026, 1, 5))
    FeedbackResponseFactory(request__client=client_a, do_better="Call us back sooner")
    review = ReviewFactory(title="Why we lost Acme")
    review.clients.set([client_a])
    ParticipantFactory(review=review, user=alice)
    ActionFactory(title="Name a backup partner", client=client_a, owner=alice)
    ActionFactory(
        title="Already done", client=client_a, owner=alice, status="verified", evidence="x"
    )
    client.force_login(alice)
    body = client.get(_url(client_a)).content.decode()
    assert "Interview on 5 Jan 2026" in body
    assert "Call us back sooner" in body
    assert "Why we lost Acme" in body
    assert "Name a backup partner" in body
    assert "Already done" not in body


def test_a_partner_sees_restricted_interviews_on_the_client_page(
    client, pat, client_a, restricted_a
):
    client.force_login(pat)
    response = client.get(_url(client_a))
    assert list(response.context["interviews"]) == [restricted_a]
    assert "Restricted" in response.content.decode()


def test_facilitator_sees_client_without_restricted_interviews(
    client, fran, client_a, restricted_a
):
    client.force_login(fran)
    response = client.get(_url(client_a))
    assert response.status_code == 200
    assert list(response.context["interviews"]) == []


def test_the_client_page_404s_for_another_account_manager(client, bob, client_a):
    client.force_login(bob)
    assert client.get(_url(client_a)).status_code == 404


def test_the_client_page_404s_for_staff(client, sam, client_a):
    client.force_login(sam)
    assert client.get(_url(client_a)).status_code == 404


def test_the_client_page_offers_the_feedback_link_to_the_account_manager(client, alice, client_a):
    client.force_login(alice)
    client.post(reverse("feedback:client_link", args=[client_a.pk]), {"do": "issue"})
    link = client_a.feedback_requests.get()
    assert link.token in client.get(_url(client_a)).content.decode()
