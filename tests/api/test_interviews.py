"""Exit interviews through the API: reads audited like the pages, restricted ones never listed
to those who cannot read them, the client's words apart from the team's hypothesis, drafts
checked by the interview form."""

import datetime as dt

from django.urls import reverse

from accounts.models import AuditEvent
from feedback.models import ExitInterview, LossReason
from retrospectives.models import Contribution
from tests.factories import ClientFactory, ContributionFactory, ExitInterviewFactory

LIST = "/api/v1/interviews/"


def _views(interview) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            verb="view", object_type="feedback.exitinterview", object_id=str(interview.pk)
        )
    )


def test_reading_an_interview_writes_an_audit_row(api, alice, bob):
    interview = ExitInterviewFactory(
        client=ClientFactory(account_manager=alice), interviewer=bob, restricted=True
    )
    response = api(alice).get(f"{LIST}{interview.pk}/")
    assert response.status_code == 404  # restricted: only its interviewer and partners
    interview.interviewer = alice
    interview.save()
    response = api(alice).get(f"{LIST}{interview.pk}/")
    assert response.status_code == 200
    [event] = _views(interview)
    assert event.actor == alice


def test_a_denied_read_of_an_interview_is_audited(api, bob):
    interview = ExitInterviewFactory(restricted=True)
    assert api(bob).get(f"{LIST}{interview.pk}/").status_code == 404
    assert AuditEvent.objects.filter(verb="denied", actor=bob, object_id=str(interview.pk)).exists()


def test_restricted_interviews_are_never_listed_to_those_who_cannot_read_them(api, alice, bob, pat):
    client = ClientFactory(account_manager=alice)
    restricted = ExitInterviewFactory(
        client=client, interviewer=bob, restricted=True, client_words="Private"
    )
    open_one = ExitInterviewFactory(client=client)
    listed = [row["id"] for row in api(alice).get(LIST).json()["results"]]
    assert listed == [open_one.pk]
    listed = [row["id"] for row in api(pat).get(LIST).json()["results"]]
    assert set(listed) == {open_one.pk, restricted.pk}


def test_listing_a_restricted_interview_is_audited_and_the_list_shows_no_words(api, pat):
    restricted = ExitInterviewFactory(restricted=True, client_words="The partner shouted")
    plain = ExitInterviewFactory(client_words="Invoices were late")
    response = api(pat).get(LIST)
    assert "shouted" not in response.content.decode()
    assert "Invoices" not in response.content.decode()
    assert [event.actor for event in _views(restricted)] == [pat]
    assert _views(plain) == []


def test_a_search_audits_every_interview_it_lists(api, pat):
    matched = ExitInterviewFactory(client_words="Invoices were late every quarter")
    ExitInterviewFactory(client_words="The portal kept failing")
    response = api(pat).get(LIST, {"q": "invoices"})
    assert [row["id"] for row in response.json()["results"]] == [matched.pk]
    assert len(_views(matched)) == 1


def test_interview_shows_the_clients_words_and_the_teams_hypothesis_apart(api, pat):
    interview = ExitInterviewFactory(
        client_words="Nobody called back", team_hypothesis="Busy season staffing"
    )
    response = api(pat).get(f"{LIST}{interview.pk}/")
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["client_words"] == "Nobody called back"
    assert data["team_hypothesis"] == "Busy season staffing"


def test_a_draft_is_logged_for_a_client_one_may_edit(api, alice):
    client = ClientFactory(account_manager=alice)
    reason = LossReason.objects.filter(active=True).first()
    response = api(alice).post(
        LIST,
        {
            "client": client.pk,
            "held_on": "2026-01-15",
            "client_words": "We never saw the partner.",
            "client_primary_reason": reason.pk,
            "team_hypothesis": "The partner was on leave.",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    interview = ExitInterview.objects.get(pk=response.json()["id"])
    assert interview.status == ExitInterview.Status.DRAFT
    assert (interview.interviewer, interview.client) == (alice, client)
    assert interview.client_words == "We never saw the partner."
    assert interview.team_hypothesis == "The partner was on leave."
    assert AuditEvent.objects.filter(verb="create", object_id=str(interview.pk)).exists()


def test_a_draft_with_bad_values_gets_400_by_field(api, alice):
    client = ClientFactory(account_manager=alice)
    response = api(alice).post(
        LIST,
        {"client": client.pk, "held_on": "2999-01-01", "recommend_score": 11},
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert "future" in errors["held_on"][0]
    assert "recommend_score" in errors
    assert not ExitInterview.objects.exists()


def test_a_draft_for_someone_elses_client_is_refused(api, alice, bob):
    client = ClientFactory(account_manager=bob)
    response = api(alice).post(
        LIST, {"client": client.pk, "held_on": "2026-01-15"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "client" in response.json()
    assert not ExitInterview.objects.exists()


def test_list_filters_are_checked(api, pat):
    response = api(pat).get(LIST, {"held_from": "2026-02-01", "held_to": "2026-01-01"})
    assert response.status_code == 400
    assert "held_to" in response.json()
    assert api(pat).get(LIST, {"reason": "not-a-number"}).status_code == 400


def test_no_endpoint_shows_an_anonymous_note(api, pat):
    note = ContributionFactory(anonymous=True, text="Nobody owned the escalation inbox")
    assert Contribution.objects.filter(pk=note.pk, anonymous=True).exists()
    for url in ("/api/v1/interviews/", "/api/v1/actions/", "/api/v1/lessons/", "/api/v1/clients/"):
        assert "escalation inbox" not in api(pat).get(url).content.decode(), url


def test_interview_search_answers_what_the_list_page_shows_in_its_order(api, client, alice, pat):
    mine = ClientFactory(account_manager=alice)
    words = ["late invoices again", "invoices were late", "the invoices", "fees", "late"]
    for days, text in enumerate(words):
        ExitInterviewFactory(
            client=mine, client_words=text, held_on=dt.date(2026, 1, 1) + dt.timedelta(days)
        )
    ExitInterviewFactory(client_words="late invoices elsewhere")
    for person in (alice, pat):
        client.force_login(person)
        for q in ("invoices", "late -again", '"invoices were"'):
            page = client.get(reverse("feedback:interview_list"), {"q": q})
            shown = [interview.pk for interview, _ in page.context["rows"]]
            answered = api(person).get(LIST, {"q": q}).json()
            assert [row["id"] for row in answered["results"]] == shown
            assert answered["count"] == page.context["page"].paginator.count
