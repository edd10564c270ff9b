"""The client-voice panel counts each response in exactly one triage state, the same states the
triage page shows: not triaged yet (new), handled with a reason (by theme), handled without one.

On top of the firm of conftest.py (in the period: c9 service level, replied; c10 fees; c9
partner access, all handled; one firm-wide response not triaged yet), three more responses:
  c10  handled without a reason, already replied to
  c9   handled without a reason
  c10  a reason picked (fees) but not marked handled: not triaged yet
Seven responses: themes access 1, fees 1, service 1; handled without a reason 2; not triaged 2.
"""

import csv
import io

import pytest
from django.urls import reverse

from dashboard import queries, services
from feedback.models import FeedbackResponse
from tests.dashboard.conftest import at
from tests.factories import FeedbackResponseFactory

pytestmark = pytest.mark.django_db

Triage = FeedbackResponse.Triage


@pytest.fixture
def voices(firm):
    c9, c10, _ = firm.at_risk

    def response(client, day, triage, reason=None, replied=None):
        made = FeedbackResponseFactory(
            request__client=client,
            client=client,
            reason=reason,
            triage=triage,
            reply_sent_at=replied and at(replied),
        )
        FeedbackResponse.objects.filter(pk=made.pk).update(submitted_at=at(day))
        return made

    return {
        "replied": response(c10, "2026-04-02", Triage.HANDLED, replied="2026-05-01"),
        "handled": response(c9, "2026-04-03", Triage.HANDLED),
        "picked": response(c10, "2026-04-04", Triage.NEW, reason=firm.reasons.F),
    }


@pytest.fixture
def voice(voices, firm):
    return queries.client_voice(services.default_filters(firm.today))


def test_each_response_is_in_one_triage_state(voice):
    assert voice["responses"] == 7
    assert [(t["id"], t["n"]) for t in voice["themes"]] == [
        ("access", 1),
        ("fees", 1),
        ("service", 1),
    ]
    assert (voice["handled_without_reason"], voice["untriaged"]) == (2, 2)
    assert sum(t["n"] for t in voice["themes"]) + 2 + 2 == voice["responses"]


def test_the_panel_shows_handled_responses_apart_from_untriaged_ones(client, voices, pat):
    client.force_login(pat)
    html = client.get(reverse("dashboard:index")).content.decode()
    assert "Handled, no reason given" in html
    assert "Not triaged yet" in html


@pytest.fixture
def as_pat(client, pat):
    client.force_login(pat)
    return client


def _listed(response):
    return {r.pk for r in response.context["page"]}


def test_the_drill_downs_list_the_responses_the_panel_counts(as_pat, voices):
    url = reverse("dashboard:responses")
    untriaged = _listed(as_pat.get(url, {"triage": "new"}))
    assert len(untriaged) == 2
    assert voices["picked"].pk in untriaged
    no_reason = _listed(as_pat.get(url, {"triage": "no_reason"}))
    assert no_reason == {voices["replied"].pk, voices["handled"].pk}
    # The theme lists only handled responses, like the panel's count of it.
    assert len(_listed(as_pat.get(url, {"theme": "fees"}))) == 1


def test_the_drill_down_says_what_state_a_response_is_in(as_pat, voices):
    html = as_pat.get(reverse("dashboard:responses")).content.decode()
    assert html.count("Handled, no reason given") == 2
    assert html.count("Not triaged yet") == 2


def test_the_client_voice_drill_down_404s_on_an_unknown_triage_state(as_pat, voices):
    assert as_pat.get(reverse("dashboard:responses"), {"triage": "nope"}).status_code == 404


def test_the_export_has_every_state(as_pat, voices):
    response = as_pat.get(reverse("dashboard:export", kwargs={"panel": "client_voice"}))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Handled, no reason given", "2"] in rows
    assert ["Not triaged yet", "2"] in rows


def test_the_triage_page_lists_as_new_what_the_panel_counts_as_not_triaged(as_pat, voices):
    triage_page = as_pat.get(reverse("feedback:feedback_triage"), {"show": "new"})
    drill_down = as_pat.get(reverse("dashboard:responses"), {"triage": "new"})
    assert _listed(triage_page) == _listed(drill_down)
