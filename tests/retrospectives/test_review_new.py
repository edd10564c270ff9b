import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Client
from retrospectives.models import Participant, Review
from tests.factories import ClientFactory, ExitInterviewFactory

pytestmark = pytest.mark.django_db

URL = reverse("retrospectives:review_new")


def _data(facilitator, **extra):
    when = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    return {
        "title": "Why we lost Harbor",
        "kind": Review.Kind.CLIENT_LOSS,
        "facilitator": facilitator.pk,
        "scheduled_for": when,
        "anonymous_by_default": "on",
        **extra,
    }


def test_planning_a_review_plans_a_review_with_clients_interviews_and_invites(
    client, pat, fran, alice, sam
):
    harbor = ClientFactory(name="Harbor Freight LLC", account_manager=alice)
    interview = ExitInterviewFactory(client=harbor)
    client.force_login(pat)
    response = client.post(
        URL,
        _data(
            fran, clients=[harbor.pk], exit_interviews=[interview.pk], invited=[alice.pk, sam.pk]
        ),
    )
    review = Review.objects.get()
    assert response.status_code == 302
    assert review.created_by == pat
    assert review.facilitator == fran
    assert review.anonymous_by_default
    assert list(review.clients.all()) == [harbor]
    assert list(review.exit_interviews.all()) == [interview]
    assert set(Participant.objects.values_list("user__username", flat=True)) == {"alice", "sam"}


def test_planning_a_review_refuses_a_title_on_two_lines_and_keeps_what_was_typed(client, fran):
    client.force_login(fran)
    response = client.post(URL, _data(fran, title="Why we lost\r\nHarbor"))
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [
        "Keep this to one line: remove the line breaks and tabs."
    ]
    assert "Why we lost" in response.content.decode()
    assert not Review.objects.exists()


def test_planning_a_review_only_offers_interviews_the_creator_may_read(client, fran, alice):
    restricted = ExitInterviewFactory(
        client=ClientFactory(account_manager=alice), interviewer=alice, restricted=True
    )
    client.force_login(fran)
    response = client.post(URL, _data(fran, exit_interviews=[restricted.pk]))
    assert response.status_code == 200
    assert "exit_interviews" in response.context["form"].errors
    assert not Review.objects.exists()


def test_planning_a_review_warns_but_does_not_block_when_the_facilitator_manages_the_client(
    client, pat, alice
):
    alice_client = ClientFactory(name="Bayside Dental", account_manager=pat)
    client.force_login(pat)
    response = client.post(URL, _data(pat, clients=[alice_client.pk]), follow=True)
    assert Review.objects.count() == 1
    assert "account manager of Bayside Dental" in response.content.decode()


@pytest.mark.parametrize("who", ["alice", "sam"])
def test_planning_a_review_404s_for_everyone_but_facilitators_and_partners(client, request, who):
    """Like every other page a person may not use: 404, never 403."""
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"title": "x"}).status_code == 404
    assert not Review.objects.exists()


def test_planning_a_review_refuses_a_date_years_away_with_a_message(client, fran):
    client.force_login(fran)
    response = client.post(URL, _data(fran, scheduled_for="2099-01-01T10:00"))
    assert "within a year" in response.content.decode()
    assert not Review.objects.exists()
    assert Client.objects.count() == 0
