"""The five whys on the screens: the chain of the top cause (or the one the facilitator picks)
grows on the projector and the phones. Participants propose a why from their phones; it waits
for the facilitator and reaches the screens only once approved. An anonymous why never names
its author anywhere."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from retrospectives import services
from retrospectives.models import Phase, WhyProposal, WhyStep
from tests.factories import ContributionFactory, UserFactory, VoteFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
SECRET_WHY = "Because the inbox rota lived in one head"


@pytest.fixture
def cause(voting_review):
    note = ContributionFactory(review=voting_review, text="Nobody owned the shared inbox")
    VoteFactory(contribution=note)
    return note


def _propose(client, review, text, *, anonymous=True, cause=None):
    data = {"text": text, "cause": cause.pk if cause else ""}
    if anonymous:
        data["anonymous"] = "on"
    url = reverse("retrospectives:why_propose", args=[review.join_code])
    return client.post(url, data, headers=HTMX)


def _run(client, name, review, *args):
    url = reverse(f"retrospectives:{name}", args=[review.pk, *args])
    return client.post(url, {"partial": "notes"}, headers=HTMX)


def _page(client, name, review) -> str:
    arg = review.join_code if name in ("join", "join_board") else review.pk
    return client.get(reverse(f"retrospectives:{name}", args=[arg])).content.decode()


# Proposing and moderating ----------------------------------------------------------------------


def test_a_proposed_why_waits_for_the_facilitator_before_any_screen_shows_it(
    client, alice, fran, cause
):
    review = cause.review
    client.force_login(alice)
    response = _propose(client, review, SECRET_WHY, cause=cause)
    assert response.status_code == 200
    assert "It appears on the screens once the facilitator adds it." in response.content.decode()
    proposal = WhyProposal.objects.get()
    assert proposal.status == WhyProposal.Status.PENDING
    assert proposal.cause == cause

    client.force_login(fran)
    assert SECRET_WHY not in _page(client, "present_board", review)
    console = _page(client, "console_notes", review)
    assert SECRET_WHY in console
    assert "waiting for you (1)" in console


def test_an_approved_why_grows_the_chain_on_the_projector_and_the_phones(
    client, alice, sam, fran, cause
):
    review = cause.review
    first = services.propose_why(review=review, author=alice, text="No rota", anonymous=True)
    client.force_login(fran)
    response = _run(client, "why_approve", review, first.pk)
    assert response.status_code == 200
    assert "Why added to the chain on the screens." in response.content.decode()
    second = services.propose_why(review=review, author=sam, text="No owner", anonymous=True)
    services.approve_why(proposal=second, by=fran)

    assert list(cause.whys.values_list("depth", "text")) == [(1, "No rota"), (2, "No owner")]
    present = _page(client, "present_board", review)
    assert present.index("Why 1?") < present.index("No rota") < present.index("No owner")
    client.force_login(sam)
    phone = _page(client, "join_board", review)
    assert "No rota" in phone and "No owner" in phone


def test_a_declined_why_never_reaches_the_screens(client, alice, fran, cause):
    review = cause.review
    proposal = services.propose_why(review=review, author=alice, text=SECRET_WHY, anonymous=True)
    client.force_login(fran)
    assert _run(client, "why_reject", review, proposal.pk).status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == WhyProposal.Status.REJECTED
    assert not WhyStep.objects.exists()
    assert SECRET_WHY not in _page(client, "present_board", review)
    client.force_login(alice)
    assert "Not added" in _page(client, "join_board", review)


def test_a_why_is_approved_or_declined_once(client, alice, fran, cause):
    proposal = services.propose_why(review=cause.review, author=alice, text="x", anonymous=True)
    services.reject_why(proposal=proposal, by=fran)
    with pytest.raises(ValidationError, match="already dealt with"):
        services.approve_why(proposal=proposal, by=fran)


def test_a_participant_cannot_approve_a_why(client, alice, cause):
    review = cause.review
    proposal = services.propose_why(review=review, author=alice, text="Mine", anonymous=True)
    client.force_login(alice)
    assert _run(client, "why_approve", review, proposal.pk).status_code == 404
    assert _run(client, "why_reject", review, proposal.pk).status_code == 404
    with pytest.raises(ValidationError):
        services.approve_why(proposal=proposal, by=alice)
    proposal.refresh_from_db()
    assert proposal.status == WhyProposal.Status.PENDING


def test_someone_not_running_the_review_gets_404(client, bob, alice, cause):
    review = cause.review
    proposal = services.propose_why(review=review, author=alice, text="Mine", anonymous=True)
    client.force_login(bob)
    assert _run(client, "why_approve", review, proposal.pk).status_code == 404
    assert _propose(client, review, "Not in the room").status_code == 404


def test_the_chain_stops_at_five_whys(client, alice, fran, cause):
    review = cause.review
    for depth in range(1, 6):
        WhyStep.objects.create(cause=cause, depth=depth, text=f"Why {depth}")
    with pytest.raises(ValidationError, match="five whys already"):
        services.propose_why(review=review, author=alice, text="A sixth", anonymous=True)
    client.force_login(alice)
    assert "The chain has its five whys." in _page(client, "join_board", review)


def test_whys_are_proposed_only_in_the_live_why_phase(alice, cause):
    review = cause.review
    review.phase = Phase.SUSTAIN_IMPROVE
    review.save()
    with pytest.raises(ValidationError, match="phase"):
        services.propose_why(review=review, author=alice, text="Late", anonymous=True)


# Validation: clear messages, nothing typed lost --------------------------------------------


def test_an_empty_why_gets_a_message_next_to_the_field(client, alice, cause):
    client.force_login(alice)
    html = _propose(client, cause.review, "   ", cause=cause).content.decode()
    assert 'id="why-text-error"' in html
    assert "Write the why before sending it." in html
    assert not WhyProposal.objects.exists()


def test_a_too_long_why_is_refused_with_its_text_kept(client, alice, cause):
    client.force_login(alice)
    text = "because " * 70
    html = _propose(client, cause.review, text, cause=cause).content.decode()
    assert "why-text-error" in html
    assert text.strip()[:100] in html


def test_a_why_for_a_cause_the_facilitator_moved_away_from_keeps_its_text(
    client, alice, fran, cause
):
    review = cause.review
    other = ContributionFactory(review=review, text="Billing surprised the client")
    services.pick_why_cause(review=review, by=fran, cause=other)
    client.force_login(alice)
    html = _propose(client, review, "Because of the old cause", cause=cause).content.decode()
    assert "The facilitator has moved to another cause." in html
    assert "Because of the old cause" in html
    assert not WhyProposal.objects.exists()


# The cause dug into ----------------------------------------------------------------------------


def test_the_chain_follows_the_top_voted_cause_until_the_facilitator_picks_one(
    client, fran, alice, cause
):
    review = cause.review
    other = ContributionFactory(review=review, text="Billing surprised the client")
    assert services.why_focus(review) == cause
    client.force_login(fran)
    response = client.post(
        reverse("retrospectives:review_why_cause", args=[review.pk]),
        {"cause": other.pk, "partial": "notes"},
        headers=HTMX,
    )
    assert response.status_code == 200
    review.refresh_from_db()
    assert services.why_focus(review) == other
    proposal = services.propose_why(review=review, author=alice, text="Why?", anonymous=True)
    assert proposal.cause == other
    present = _page(client, "present_board", review)
    chain = present[present.index("present-chain-heading") :]
    assert "Billing surprised the client" in chain


def test_a_hidden_pick_falls_back_to_the_top_vote(fran, cause):
    review = cause.review
    other = ContributionFactory(review=review)
    services.pick_why_cause(review=review, by=fran, cause=other)
    services.set_hidden(note=other, by=fran, hidden=True)
    assert services.why_focus(review) == cause


def test_a_participant_cannot_pick_the_cause(client, alice, cause):
    url = reverse("retrospectives:review_why_cause", args=[cause.review.pk])
    client.force_login(alice)
    assert client.post(url, {"cause": cause.pk}).status_code == 404
    with pytest.raises(ValidationError):
        services.pick_why_cause(review=cause.review, by=alice, cause=cause)


def test_a_note_of_another_review_cannot_be_picked(client, fran, cause):
    elsewhere = ContributionFactory(phase=Phase.WHY)
    client.force_login(fran)
    response = client.post(
        reverse("retrospectives:review_why_cause", args=[cause.review.pk]),
        {"cause": elsewhere.pk, "partial": "notes"},
        headers=HTMX,
    )
    assert "pick the cause again" in response.content.decode()
    cause.review.refresh_from_db()
    assert cause.review.why_cause is None


def test_the_facilitators_form_keeps_the_name_of_a_why_kept_word_for_word(alice, fran, cause):
    proposal = services.propose_why(
        review=cause.review, author=alice, text="No rota", anonymous=False
    )
    services.approve_why(proposal=proposal, by=fran)
    services.save_whys(cause=cause, answers=["No rota", "Nobody asked"])
    steps = list(cause.whys.all())
    assert [(s.text, s.author) for s in steps] == [("No rota", alice), ("Nobody asked", None)]


# Anonymity and blame ---------------------------------------------------------------------------


def test_the_author_of_an_anonymous_why_appears_on_no_screen(client, alice, fran, pat, cause):
    review = cause.review
    waiting = services.propose_why(review=review, author=alice, text=SECRET_WHY, anonymous=True)
    pages = []
    client.force_login(fran)
    pages += [_page(client, name, review) for name in ("review_console", "console_notes")]
    services.approve_why(proposal=waiting, by=fran)
    for user in (fran, pat):
        client.force_login(user)
        for name in ("review_console", "console_notes", "review_present", "present_board"):
            pages.append(_page(client, name, review))
        pages.append(_page(client, "review_report", review))
        csv = client.get(reverse("retrospectives:review_report_csv", args=[review.pk]))
        pages += [row for row in csv.content.decode().splitlines() if SECRET_WHY in row]
    client.force_login(alice)
    pages += [_page(client, "join", review), _page(client, "join_board", review)]
    assert WhyStep.objects.get().author is None
    for page in pages:
        assert SECRET_WHY in page
        at = page.index(SECRET_WHY)
        around = page[max(0, at - 400) : at + len(SECRET_WHY) + 400]
        assert "Alice" not in around and "alice" not in around


def test_a_named_why_shows_its_author_once_approved(client, sam, fran, cause):
    review = cause.review
    proposal = services.propose_why(review=review, author=sam, text="No rota", anonymous=False)
    client.force_login(fran)
    assert "Sam Rivera" in _page(client, "console_notes", review)
    services.approve_why(proposal=proposal, by=fran)
    assert "Sam Rivera" in _page(client, "present_board", review)
    assert 'No rota <span class="text-body-secondary">— Sam Rivera' in _page(
        client, "review_report", review
    )
    csv = client.get(reverse("retrospectives:review_report_csv", args=[review.pk]))
    assert "why,Why 1,No rota,Sam Rivera," in csv.content.decode()


def test_a_why_is_anonymous_by_default_when_the_review_is(client, alice, cause):
    client.force_login(alice)
    html = _page(client, "join_board", cause.review)
    switch = html[html.index('id="why-anonymous"') :]
    assert switch[: switch.index(">")].split()[-1] == "checked"


def test_blame_language_in_a_why_gets_the_authors_hint_and_flags_it_on_the_console(
    client, alice, fran, cause
):
    client.force_login(alice)
    html = _propose(client, cause.review, "Because Sam should have known", cause=cause)
    assert "Check the wording" in html.content.decode()
    proposal = WhyProposal.objects.get()
    assert proposal.blame_flags
    client.force_login(fran)
    assert "⚑" in _page(client, "console_notes", cause.review)


def test_in_admin_only_a_partner_sees_who_proposed_an_anonymous_why(client, alice, pat, cause):
    proposal = services.propose_why(review=cause.review, author=alice, text="x", anonymous=True)
    change = reverse("admin:retrospectives_whyproposal_change", args=[proposal.pk])
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="whyproposal"))
    client.force_login(staff)
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="author"' not in page.content.decode()
    listing = client.get(reverse("admin:retrospectives_whyproposal_changelist"))
    assert "Alice Moreno" not in listing.content.decode()

    pat.is_staff = True
    pat.save()
    pat.user_permissions.add(*Permission.objects.filter(codename__endswith="whyproposal"))
    client.force_login(pat)
    assert 'name="author"' in client.get(change).content.decode()


def test_the_phone_takes_as_many_queries_with_50_notes_and_whys_as_with_5(
    client, alice, sam, fran, cause, django_assert_num_queries
):
    review = cause.review

    def fill(count):
        for n in range(count):
            ContributionFactory(review=review)
            proposal = services.propose_why(
                review=review, author=sam, text=f"W{n}", anonymous=n % 2
            )
            if n < 2:
                services.approve_why(proposal=proposal, by=fran)
        services.propose_why(review=review, author=alice, text="Mine", anonymous=True)

    client.force_login(alice)
    url = reverse("retrospectives:join_board", args=[review.join_code])
    fill(5)
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    fill(45)
    with django_assert_num_queries(len(five.captured_queries)):
        assert client.get(url).status_code == 200
