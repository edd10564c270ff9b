import pytest
from django.urls import reverse

from feedback.models import FeedbackRequest

pytestmark = pytest.mark.django_db


def _url(client_obj):
    return reverse("feedback:client_link", args=[client_obj.pk])


def test_reissuing_revokes_the_old_link(client, alice, client_a):
    client.force_login(alice)
    client.post(_url(client_a), {"do": "issue"})
    first = FeedbackRequest.objects.get()
    client.post(_url(client_a), {"do": "issue"})
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert FeedbackRequest.objects.filter(revoked_at__isnull=True).count() == 1
    assert client.get(first.get_absolute_url()).status_code == 404


def test_revoking_stops_the_link(client, alice, client_a):
    client.force_login(alice)
    client.post(_url(client_a), {"do": "issue"})
    client.post(_url(client_a), {"do": "revoke"})
    assert not FeedbackRequest.objects.filter(revoked_at__isnull=True).exists()


def test_tokens_are_long_and_unguessable(client, alice, client_a):
    client.force_login(alice)
    client.post(_url(client_a), {"do": "issue"})
    client.post(_url(client_a), {"do": "issue"})
    tokens = list(FeedbackRequest.objects.values_list("token", flat=True))
    assert len(set(tokens)) == 2 and all(len(t) >= 32 for t in tokens)


@pytest.mark.parametrize("persona", ["bob", "fran", "sam"])
def test_others_cannot_issue_links(client, request, client_a, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(_url(client_a), {"do": "issue"}).status_code == 404
    assert not FeedbackRequest.objects.exists()


def test_a_feedback_link_change_requires_post(client, alice, client_a):
    client.force_login(alice)
    assert client.get(_url(client_a)).status_code == 405


def test_partners_manage_the_firm_wide_link(client, pat, alice):
    url = reverse("feedback:firm_link")
    client.force_login(alice)
    assert client.post(url, {"do": "issue"}).status_code == 404
    client.force_login(pat)
    client.post(url, {"do": "issue"})
    firm = FeedbackRequest.objects.get(client=None)
    assert firm.token in client.get(reverse("feedback:feedback_triage")).content.decode()
    client.post(url, {"do": "revoke"})
    firm.refresh_from_db()
    assert firm.revoked_at is not None
