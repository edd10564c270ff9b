"""An admin registers a webhook: picks its events, gets its secret, and is told next to the field
when the address is refused."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from webhooks.models import Webhook

pytestmark = pytest.mark.django_db

ADD = reverse("admin:webhooks_webhook_add")


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_an_admin_registers_a_hook_and_reads_its_secret(admin_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    page = admin_client.get(ADD)
    assert page.status_code == 200
    assert b'value="lesson.published"' in page.content
    assert b"Secret" not in page.content  # made on saving
    response = admin_client.post(
        ADD,
        {
            "url": "http://127.0.0.1:8123/hooks/",
            "description": "CRM",
            "events": ["interview.finalised", "save_attempt.opened"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    hook = Webhook.objects.get()
    assert hook.events == ["interview.finalised", "save_attempt.opened"]
    assert len(hook.secret) >= 40
    change = admin_client.get(reverse("admin:webhooks_webhook_change", args=[hook.pk]))
    assert hook.secret.encode() in change.content


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.7/hooks/", "internal address"),
        ("ftp://files.example.com/", "Enter a valid URL"),
    ],
)
def test_a_refused_address_is_explained_next_to_the_field(admin_client, url, message):
    response = admin_client.post(ADD, {"url": url, "events": ["action.created"], "active": "on"})
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["url"])
    assert not Webhook.objects.exists()


def test_a_hook_needs_an_event(admin_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    response = admin_client.post(ADD, {"url": "http://127.0.0.1/", "active": "on"})
    assert response.status_code == 200
    assert "events" in response.context["adminform"].form.errors
