"""E-mailing a client's feedback link from its page: the account manager edits the message, the
link goes in where {link} stands, the send is recorded on the client."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent
from feedback.models import Client, FeedbackLinkEmail, FeedbackRequest
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _url(client_obj):
    return reverse("feedback:client_link_email", args=[client_obj.pk])


@pytest.fixture
def contact_client(alice):
    return ClientFactory(
        name="Juniper Orchards",
        account_manager=alice,
        contact_name="Rosa Vance",
        contact_email="rosa@juniper.example",
    )


def _form(client, client_obj) -> dict:
    initial = client.get(_url(client_obj)).context["form"].initial
    return {key: value for key, value in initial.items() if value not in (None, False)}


def test_the_form_starts_addressed_to_the_contact_and_signed_by_the_sender(
    client, alice, contact_client
):
    client.force_login(alice)
    page = client.get(_url(contact_client))
    assert page.status_code == 200
    initial = page.context["form"].initial
    assert initial["to"] == "rosa@juniper.example"
    assert "Dear Rosa Vance" in initial["body"] and "{link}" in initial["body"]
    assert alice.name in initial["body"] and "Juniper Orchards" in initial["subject"]


def test_sending_mails_the_active_link_in_the_edited_words_and_records_it(
    client, alice, contact_client, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    data = _form(client, contact_client)
    data["body"] = "Hi Rosa, tell us straight: {link}\nThanks, Alice"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(contact_client), data)
    assert response.status_code == 302 and response["Location"] == contact_client.get_absolute_url()
    link = FeedbackRequest.objects.get(client=contact_client, revoked_at__isnull=True)
    [message] = mail.outbox
    assert message.to == ["rosa@juniper.example"]
    assert message.body == f"Hi Rosa, tell us straight: {link.public_url}\nThanks, Alice"
    sent = FeedbackLinkEmail.objects.get()
    assert (sent.client, sent.request, sent.sent_by) == (contact_client, link, alice)
    assert sent.sent_at is not None
    assert AuditEvent.objects.filter(object_type="feedback.feedbacklinkemail").exists()
    page = client.get(contact_client.get_absolute_url()).content.decode()
    assert "to rosa@juniper.example by Alice Moreno" in page


def test_an_existing_link_is_sent_not_replaced(
    client, alice, contact_client, django_capture_on_commit_callbacks
):
    link = FeedbackRequest.objects.create(client=contact_client, created_by=alice)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(contact_client), _form(client, contact_client))
    assert FeedbackRequest.objects.get(revoked_at__isnull=True) == link
    assert link.public_url in mail.outbox[0].body


def test_a_message_without_the_link_is_refused_next_to_the_message_and_kept(
    client, alice, contact_client
):
    client.force_login(alice)
    data = _form(client, contact_client)
    data["body"] = "Please tell us how we did, my words here."
    response = client.post(_url(contact_client), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "{link}" in form.errors["body"][0]
    assert "my words here" in response.content.decode()
    assert not FeedbackLinkEmail.objects.exists() and not mail.outbox


@pytest.mark.parametrize(
    ("field", "value"),
    [("to", "not an address"), ("to", ""), ("subject", "two\nlines"), ("subject", "")],
)
def test_a_bad_address_or_subject_is_refused_next_to_its_field(
    client, alice, contact_client, field, value
):
    client.force_login(alice)
    data = _form(client, contact_client)
    data[field] = value
    response = client.post(_url(contact_client), data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not FeedbackLinkEmail.objects.exists()


def test_a_client_without_a_contact_keeps_the_typed_address_when_asked(client, alice, client_a):
    client.force_login(alice)
    data = _form(client, client_a)
    assert data["remember_contact"] is True
    data["to"] = "owner@acme.example"
    client.post(_url(client_a), data)
    assert Client.objects.get(pk=client_a.pk).contact_email == "owner@acme.example"


def test_the_contacts_address_stays_unless_the_sender_replaces_it(
    client, alice, contact_client, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    data = _form(client, contact_client)
    assert "remember_contact" not in data
    data["to"] = "someone.else@juniper.example"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(contact_client), data)
    assert Client.objects.get(pk=contact_client.pk).contact_email == "rosa@juniper.example"
    assert mail.outbox[0].to == ["someone.else@juniper.example"]


@pytest.mark.parametrize("persona", ["bob", "fran", "sam"])
def test_only_the_account_manager_or_a_partner_sends_it(client, request, contact_client, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(contact_client)).status_code == 404
    assert client.post(_url(contact_client), {"to": "x@example.com"}).status_code == 404
    assert not FeedbackLinkEmail.objects.exists()


def test_a_partner_sends_it_too(client, pat, contact_client):
    client.force_login(pat)
    client.post(_url(contact_client), _form(client, contact_client))
    assert FeedbackLinkEmail.objects.get().sent_by == pat
