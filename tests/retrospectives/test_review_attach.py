"""Who may attach what to a review they plan (Review.interviews_attachable_by): partners any exit
interview; facilitators any interview they may already read, and any final, unrestricted one, so
a new loss can be reviewed (attaching it is what lets the review's facilitator read it); a draft
stays with its interviewer until final, and a restricted interview only partners and its
interviewer attach. Clients: any client the planner may see. The form's choices, the search
menu, the service and the permission matrix ask the same rule."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from feedback.models import ExitInterview
from retrospectives import services
from retrospectives.forms import ReviewForm
from retrospectives.models import Review
from tests.factories import ClientFactory, ExitInterviewFactory, ReviewFactory

pytestmark = pytest.mark.django_db

URL = reverse("retrospectives:review_new")
OPTIONS = reverse("retrospectives:interview_options")


@pytest.fixture
def interviews(alice):
    """A new loss of alice's client: its final interview, a draft, and a restricted one."""
    harbor = ClientFactory(name="Harbor Freight LLC", account_manager=alice)
    return {
        "final": ExitInterviewFactory(client=harbor, interviewer=alice),
        "draft": ExitInterviewFactory(
            client=harbor, interviewer=alice, status=ExitInterview.Status.DRAFT
        ),
        "restricted": ExitInterviewFactory(client=harbor, interviewer=alice, restricted=True),
    }


def _data(facilitator, **extra):
    when = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    return {
        "title": "Why we lost Harbor",
        "kind": Review.Kind.CLIENT_LOSS,
        "facilitator": facilitator.pk,
        "scheduled_for": when,
        **extra,
    }


def test_a_facilitator_attaches_a_new_loss_interview(client, fran, interviews):
    final = interviews["final"]
    client.force_login(fran)
    interview_page = reverse("feedback:interview_detail", args=[final.pk])
    assert client.get(interview_page).status_code == 404
    response = client.post(URL, _data(fran, exit_interviews=[final.pk]))
    assert response.status_code == 302, response.context["form"].errors
    assert list(Review.objects.get().exit_interviews.all()) == [final]
    # Attached to a review fran facilitates, so fran may now read it.
    assert client.get(interview_page).status_code == 200


@pytest.mark.parametrize("kind", ["draft", "restricted"])
def test_a_facilitator_may_not_attach_a_draft_or_a_restricted_interview(
    client, fran, interviews, kind
):
    client.force_login(fran)
    response = client.post(URL, _data(fran, exit_interviews=[interviews[kind].pk]))
    assert response.status_code == 200
    assert "exit_interviews" in response.context["form"].errors
    assert not Review.objects.exists()


def test_a_partner_attaches_any_interview(client, pat, fran, interviews):
    client.force_login(pat)
    chosen = [i.pk for i in interviews.values()]
    response = client.post(URL, _data(fran, exit_interviews=chosen))
    assert response.status_code == 302
    assert set(Review.objects.get().exit_interviews.values_list("pk", flat=True)) == set(chosen)


@pytest.mark.parametrize("who", ["fran", "pat"])
def test_the_menu_and_the_form_offer_the_same_interviews(client, request, who, interviews):
    user = request.getfixturevalue(who)
    ExitInterviewFactory()  # another account manager's final interview
    client.force_login(user)
    menu = client.get(OPTIONS).content.decode()
    offered = {i.pk for i in ExitInterview.objects.all() if f'value="{i.pk}"' in menu}
    choices = set(
        ReviewForm(user=user).fields["exit_interviews"].queryset.values_list("pk", flat=True)
    )
    assert offered == choices
    assert offered == set(Review.interviews_attachable_by(user).values_list("pk", flat=True))
    if who == "fran":
        assert interviews["final"].pk in offered
        assert interviews["draft"].pk not in offered
        assert interviews["restricted"].pk not in offered


@pytest.mark.parametrize("who", ["alice", "sam"])
def test_the_menu_is_404_for_people_who_do_not_plan_reviews(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(OPTIONS).status_code == 404


def test_the_service_refuses_an_interview_the_planner_may_not_attach(fran, interviews):
    review = ReviewFactory.build(facilitator=fran, scheduled_for=timezone.now())
    with pytest.raises(ValidationError):
        services.plan_review(review=review, by=fran, exit_interviews=[interviews["restricted"]])


def test_re_planning_keeps_interviews_the_editor_may_not_attach(fran, pat, interviews):
    review = ReviewFactory(facilitator=fran)
    services.plan_review(review=review, by=pat, exit_interviews=[interviews["restricted"]])
    services.plan_review(review=review, by=fran, exit_interviews=[interviews["final"]])
    assert set(review.exit_interviews.all()) == {interviews["restricted"], interviews["final"]}


def test_attaching_an_interview_is_audited(fran, interviews):
    review = ReviewFactory(facilitator=fran)
    services.plan_review(review=review, by=fran, exit_interviews=[interviews["final"]])
    event = AuditEvent.objects.get(object_type="feedback.exitinterview")
    assert event.actor == fran
    assert event.object_id == str(interviews["final"].pk)
    assert event.detail == {"attached_to_review": review.pk}
