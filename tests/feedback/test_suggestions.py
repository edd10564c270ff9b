"""The staff suggestion box: sending a suggestion, named or anonymous, and following its answer."""

import re

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import serializers
from django.urls import reverse

from accounts.models import AuditEvent
from feedback import services
from feedback.models import Suggestion

pytestmark = pytest.mark.django_db

NEW = reverse("feedback:suggestion_new")
MINE = reverse("feedback:suggestion_mine")
IDEA = "Put every client filing deadline in one shared calendar."


def _receipt_url(response) -> str:
    match = re.search(r'href="http://testserver(/suggestions/receipt/[^"]+/)"', response.text)
    assert match, "the receipt link is shown after sending"
    return match.group(1)


def _every_row() -> dict[tuple[str, object], dict]:
    """Every row of every table, serialised, by (model, primary key)."""
    rows = {}
    for model in apps.get_models():
        for row in serializers.serialize("python", model._base_manager.all()):
            rows[(row["model"], row["pk"])] = row["fields"]
    return rows


def test_the_suggestion_form_opens_from_every_page_and_keeps_the_page_it_came_from(client, sam):
    client.force_login(sam)
    home = client.get(reverse("feedback:learning_check")).content.decode()
    assert f'href="{NEW}?next=/learning-check/"' in home
    page = client.get(NEW, {"next": "/learning-check/"}).content.decode()
    assert 'name="next" value="/learning-check/"' in page


def test_a_named_suggestion_goes_back_to_the_page_it_came_from(client, sam):
    client.force_login(sam)
    response = client.post(NEW, {"text": IDEA, "anonymous": "0", "next": "/learning-check/"})
    assert response.status_code == 302
    assert response["Location"] == "/learning-check/"
    suggestion = Suggestion.objects.get()
    assert (suggestion.author, suggestion.receipt_digest, suggestion.status) == (sam, None, "new")
    assert IDEA in client.get(MINE).content.decode()


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "next"]
)
def test_the_suggestion_form_never_sends_people_to_another_site(client, sam, target):
    client.force_login(sam)
    response = client.post(NEW, {"text": IDEA, "anonymous": "0", "next": target})
    assert response["Location"] == MINE
    page = client.get(NEW, {"next": target}).content.decode()
    assert '<input type="hidden" name="next" value="">' in page
    assert "Cancel" not in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": "   ", "anonymous": "1"}, "text", "Write your suggestion first."),
        ({"text": "x" * 2001, "anonymous": "1"}, "text", "at most 2000 characters"),
        ({"text": IDEA}, "anonymous", "Choose anonymously or with your name."),
        ({"text": IDEA, "anonymous": "maybe"}, "anonymous", "Select a valid choice"),
    ],
)
def test_the_suggestion_form_explains_bad_input_and_keeps_what_was_typed(
    client, sam, data, field, message
):
    client.force_login(sam)
    response = client.post(NEW, {**data, "next": "/actions/mine/"})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert 'name="next" value="/actions/mine/"' in response.text
    if data["text"].strip() and len(data["text"]) < 2001:
        assert IDEA in response.text
    assert not Suggestion.objects.exists()


def test_an_anonymous_suggestion_stores_nothing_that_leads_to_its_author(client, sam):
    client.force_login(sam)
    client.get(NEW)  # the session and its CSRF token exist before the suggestion is sent
    before = _every_row()
    audit_rows = AuditEvent.objects.count()
    response = client.post(NEW, {"text": IDEA, "anonymous": "1", "next": "/"})
    assert response.status_code == 200
    token = _receipt_url(response).split("/")[-2]
    after = _every_row()

    new_or_changed = {key for key in after if before.get(key) != after[key]}
    suggestion = Suggestion.objects.get()
    assert {key[0] for key in new_or_changed} <= {"feedback.suggestion", "sessions.session"}
    assert ("feedback.suggestion", suggestion.pk) in new_or_changed
    assert AuditEvent.objects.count() == audit_rows
    # The suggestion row: no author, a day rather than a time, and only a digest of the token.
    fields = after[("feedback.suggestion", suggestion.pk)]
    assert fields["author"] is None
    assert fields["submitted_on"] == suggestion.submitted_on
    assert token not in str(fields)
    assert fields["receipt_digest"] == services.receipt_digest(token)
    for value in (sam.username, sam.display_name, sam.email):
        assert value not in str(fields)
    # Nor does the session remember which suggestion, or which receipt, was sent.
    for session in Session.objects.all():
        decoded = str(session.get_decoded())
        assert token not in decoded
        assert IDEA not in decoded
    assert IDEA not in client.get(MINE).content.decode()


def test_the_receipt_link_shows_the_suggestion_and_its_answer(client, sam, pat):
    client.force_login(sam)
    receipt = _receipt_url(client.post(NEW, {"text": IDEA, "anonymous": "1"}))
    page = client.get(receipt)
    assert page.status_code == 200
    assert IDEA in page.text and "will answer it" in page.text
    assert "no-store" in page["Cache-Control"]
    services.decline_suggestion(
        suggestion=Suggestion.objects.get(), by=pat, reason="The portal already has this."
    )
    page = client.get(receipt).content.decode()
    assert "Declined" in page and "The portal already has this." in page


def test_anyone_holding_the_receipt_can_read_it_but_a_wrong_token_is_404(client, sam, alice):
    client.force_login(sam)
    receipt = _receipt_url(client.post(NEW, {"text": IDEA, "anonymous": "1"}))
    client.force_login(alice)
    assert client.get(receipt).status_code == 200
    token = receipt.split("/")[-2]
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", token.upper()):
        if wrong == token:
            continue
        assert client.get(reverse("feedback:suggestion_receipt", args=[wrong])).status_code == 404
    digest = Suggestion.objects.get().receipt_digest
    assert client.get(reverse("feedback:suggestion_receipt", args=[digest])).status_code == 404


def test_receipt_tokens_are_unguessable_and_differ(sam):
    tokens = {
        services.submit_suggestion(text=IDEA, by=sam, anonymous=True).receipt_token
        for _ in range(5)
    }
    assert len(tokens) == 5
    assert all(len(token) >= 40 for token in tokens)


def test_my_suggestions_shows_only_mine_with_their_answers(client, sam, alice, pat):
    mine = services.submit_suggestion(text="Mine: a checklist", by=sam, anonymous=False)
    services.submit_suggestion(text="Alice's: a wiki", by=alice, anonymous=False)
    services.submit_suggestion(text="Anonymous: fewer meetings", by=sam, anonymous=True)
    services.decline_suggestion(suggestion=mine.suggestion, by=pat, reason="Already exists.")
    client.force_login(sam)
    page = client.get(MINE).content.decode()
    assert "Mine: a checklist" in page and "Already exists." in page
    assert "Alice&#x27;s: a wiki" not in page and "Alice's: a wiki" not in page
    assert "Anonymous: fewer meetings" not in page


def test_my_suggestions_runs_a_fixed_number_of_queries(client, sam, pat, django_assert_num_queries):
    client.force_login(sam)
    client.get(MINE)
    for i in range(6):
        made = services.submit_suggestion(text=f"Idea {i}", by=sam, anonymous=False).suggestion
        if i % 2:
            services.accept_suggestion(
                suggestion=made,
                by=pat,
                title=f"Do idea {i}",
                owner=pat,
                due_on=made.submitted_on,
            )
    target = Suggestion.objects.filter(status="accepted").first()
    duplicate = services.submit_suggestion(text="Idea again", by=sam, anonymous=False)
    services.merge_suggestion(suggestion=duplicate.suggestion, into=target, by=pat)
    # session, user, groups (roles in the nav), suggestions with what they were merged into,
    # their actions, the merged-into suggestions' actions, and the savepoints of ATOMIC_REQUESTS
    # inside the test transaction: the same for 7 suggestions as for 1.
    with django_assert_num_queries(8):
        page = client.get(MINE).content.decode()
    assert page.count("You suggested, we are doing") == 4
