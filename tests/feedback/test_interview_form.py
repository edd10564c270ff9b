import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from feedback.models import Client, ExitInterview
from tests.factories import ExitInterviewFactory, loss_reason

pytestmark = pytest.mark.django_db


def _new_url(client_obj):
    return reverse("feedback:interview_new", args=[client_obj.pk])


def _data(**overrides):
    data = {
        "held_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "channel": "call",
        "interviewee_name": "Dana Ortiz",
        "interviewee_role": "CFO",
        "client_words": "When the IRS notice came, nobody called us back for two weeks.",
        "client_primary_reason": loss_reason("not reachable").pk,
        "client_other_reasons": [loss_reason("Slow responses").pk],
        "did_well": "The payroll team was quick.",
        "do_better": "Answer the phone in March.",
        "would_return": "maybe",
        "recommend_score": "4",
        "competitor": "Big Four Co",
        "team_hypothesis": "They were price shopping.",
        "team_reason": loss_reason("Fees").pk,
        "fees_lost": "42000",
        "mark_client_lost": "on",
        "client_lost_on": (timezone.localdate() - dt.timedelta(days=10)).isoformat(),
        "intent": "draft",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_interview_form_saves_a_draft_without_touching_the_client(client, alice, client_a):
    client.force_login(alice)
    response = client.post(_new_url(client_a), _data())
    interview = ExitInterview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == interview.get_absolute_url()
    assert interview.status == "draft"
    assert interview.interviewer == alice
    assert interview.client_words.startswith("When the IRS notice came")
    assert interview.team_hypothesis == "They were price shopping."
    assert list(interview.client_other_reasons.all()) == [loss_reason("Slow responses")]
    client_a.refresh_from_db()
    assert client_a.status == Client.Status.ACTIVE
    assert AuditEvent.objects.filter(verb="create", object_id=str(interview.pk)).exists()


def test_a_draft_needs_only_a_date(client, alice, client_a):
    client.force_login(alice)
    data = {"held_on": timezone.localdate().isoformat(), "channel": "call", "intent": "draft"}
    assert client.post(_new_url(client_a), data).status_code == 302


def test_finalising_marks_the_client_lost_with_the_date(client, alice, client_a):
    client.force_login(alice)
    client.post(_new_url(client_a), _data(intent="finalise"))
    interview = ExitInterview.objects.get()
    client_a.refresh_from_db()
    assert interview.status == "final" and interview.finalised_at is not None
    assert client_a.status == Client.Status.LOST
    assert client_a.lost_on == timezone.localdate() - dt.timedelta(days=10)


def test_finalising_leaves_the_client_when_unticked(client, alice, client_a):
    client.force_login(alice)
    client.post(_new_url(client_a), _data(intent="finalise", mark_client_lost=None))
    client_a.refresh_from_db()
    assert ExitInterview.objects.get().status == "final"
    assert client_a.status == Client.Status.ACTIVE


def test_finalising_needs_the_client_words_and_reason(client, alice, client_a):
    client.force_login(alice)
    response = client.post(
        _new_url(client_a), _data(intent="finalise", client_words="", client_primary_reason="")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "before finalising" in errors["client_words"][0]
    assert "main reason" in errors["client_primary_reason"][0]
    assert not ExitInterview.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"held_on": ""}, "held_on", "This field is required"),
        ({"held_on": "2999-01-01"}, "held_on", "in the future"),
        ({"held_on": "yesterday"}, "held_on", "Enter a valid date"),
        ({"fees_lost": "-1"}, "fees_lost", "greater than or equal to 0"),
        ({"recommend_score": "11"}, "recommend_score", "less than or equal to 10"),
        ({"recommend_score": "-1"}, "recommend_score", "greater than or equal to 0"),
        ({"client_words": "x" * 20_000}, "client_words", "at most 10000 characters"),
        ({"team_hypothesis": "x" * 20_000}, "team_hypothesis", "at most 10000 characters"),
        ({"client_words": "They said\x00nothing"}, "client_words", "Null characters"),
        ({"interviewee_name": "y" * 500}, "interviewee_name", "at most 120 characters"),
        ({"channel": "pigeon"}, "channel", "Select a valid choice"),
        ({"client_lost_on": "2999-01-01"}, "client_lost_on", "in the future"),
    ],
)
def test_the_interview_form_rejects_bad_input_and_keeps_what_was_typed(
    client, alice, client_a, overrides, field, message
):
    client.force_login(alice)
    response = client.post(_new_url(client_a), _data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert form["interviewee_name"].value() == overrides.get("interviewee_name", "Dana Ortiz")
    assert "Nothing you typed has been lost" in response.content.decode()
    assert not ExitInterview.objects.exists()


def test_the_interview_form_keeps_script_as_text_and_emoji(client, alice, client_a):
    client.force_login(alice)
    client.post(
        _new_url(client_a),
        _data(client_words="<script>alert('x')</script> we felt ignored 😞"),
    )
    interview = ExitInterview.objects.get()
    assert interview.client_words == "<script>alert('x')</script> we felt ignored 😞"
    body = client.get(interview.get_absolute_url()).content.decode()
    assert "<script>alert(" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; we felt ignored 😞" in body


def test_the_interview_form_puts_the_client_words_and_the_hypothesis_in_labelled_sections(
    client, alice, client_a
):
    client.force_login(alice)
    body = client.get(_new_url(client_a)).content.decode()
    assert "In the client's words" in body
    assert "The team's hypothesis" in body
    assert body.index('name="client_words"') < body.index("The team's hypothesis")
    assert body.index('name="team_hypothesis"') > body.index("The team's hypothesis")


def test_the_interview_form_warns_the_account_manager_about_bias(client, alice, pat, client_a):
    client.force_login(alice)
    assert (
        "You are this client's account manager" in client.get(_new_url(client_a)).content.decode()
    )
    client.force_login(pat)
    response = client.get(_new_url(client_a))
    assert response.context["bias_note"] is False
    assert "You are this client's account manager" not in response.content.decode()


def test_the_detail_page_notes_bias_and_marks_blame(client, alice, client_a):
    interview = ExitInterviewFactory(
        client=client_a, team_hypothesis="Bob was careless & it was his fault."
    )
    client.force_login(alice)
    body = client.get(interview.get_absolute_url()).content.decode()
    assert "Held by the client's own account manager" in body
    assert '<mark class="blame-mark" data-kind="character">careless</mark>' in body
    assert '<mark class="blame-mark" data-kind="cause">his fault</mark>' in body
    assert "&amp; it was" in body
    assert "This judges a person" in body and "This puts the cause on a person" in body


def test_the_blame_check_answers_htmx(client, alice):
    client.force_login(alice)
    url = reverse("feedback:interview_blame_check")
    flagged = client.post(
        url, {"team_hypothesis": "They should have called."}, HTTP_HX_REQUEST="true"
    )
    assert "should have" in flagged.content.decode()
    clean = client.post(url, {"team_hypothesis": "The escalation path was unclear."})
    assert "Check the wording" not in clean.content.decode()
    assert client.get(url).status_code == 405


def test_editing_writes_an_update_audit_row(client, alice, interview_a):
    client.force_login(alice)
    url = reverse("feedback:interview_edit", args=[interview_a.pk])
    response = client.post(url, _data(intent="save", competitor="Other firm"))
    assert response.status_code == 302
    interview_a.refresh_from_db()
    assert interview_a.competitor == "Other firm"
    assert AuditEvent.objects.filter(verb="update", object_id=str(interview_a.pk)).exists()


def test_a_final_interview_stays_final_when_edited(client, alice, interview_a):
    client.force_login(alice)
    url = reverse("feedback:interview_edit", args=[interview_a.pk])
    client.post(url, _data(intent="save"))
    interview_a.refresh_from_db()
    assert interview_a.status == "final"
