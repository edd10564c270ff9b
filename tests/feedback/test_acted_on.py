"""The public form asks "Do you feel we acted on what you told us?" only of a client who already
had a "you said, we did" reply."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from feedback.models import FeedbackResponse
from tests.factories import FeedbackRequestFactory, FeedbackResponseFactory

pytestmark = pytest.mark.django_db

QUESTION = "Do you feel we acted on what you told us?"
DATA = {"doing_right": "Quick payroll answers.", "do_better": "Warn us before extra bills."}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def link(client_a):
    return FeedbackRequestFactory(client=client_a)


def _url(feedback_request):
    return reverse("feedback:public_form", args=[feedback_request.token])


def _replied(client):
    return FeedbackResponseFactory(
        request__client=client, client=client, reply_sent_at=timezone.now()
    )


def test_a_client_without_a_reply_is_not_asked(client, link, client_a):
    # An earlier answer whose reply is drafted but not sent does not count.
    FeedbackResponseFactory(request=link, client=client_a, reply_text="Draft")
    assert QUESTION not in client.get(_url(link)).content.decode()
    client.post(_url(link), {**DATA, "acted_on": "5"})
    assert FeedbackResponse.objects.latest("id").acted_on is None


def test_a_client_who_heard_back_is_asked_and_the_answer_is_kept(client, link, client_a):
    _replied(client_a)
    page = client.get(_url(link)).content.decode()
    assert QUESTION in page
    assert page.count('name="acted_on"') == 5
    assert client.post(_url(link), {**DATA, "acted_on": "2"}).status_code == 302
    assert FeedbackResponse.objects.latest("id").acted_on == 2


def test_another_clients_reply_does_not_count(client, link, client_b):
    _replied(client_b)
    assert QUESTION not in client.get(_url(link)).content.decode()


def test_the_firm_wide_link_never_asks(client, client_a):
    _replied(client_a)
    firm_wide = FeedbackRequestFactory(client=None)
    assert QUESTION not in client.get(_url(firm_wide)).content.decode()


def test_the_question_is_optional(client, link, client_a):
    _replied(client_a)
    assert client.post(_url(link), DATA).status_code == 302
    assert FeedbackResponse.objects.latest("id").acted_on is None


def test_the_acted_on_question_alone_is_enough_to_send_the_form(client, link, client_a):
    _replied(client_a)
    assert client.post(_url(link), {"acted_on": "4"}).status_code == 302
    assert FeedbackResponse.objects.latest("id").acted_on == 4


@pytest.mark.parametrize("value", ["0", "6", "-1", "four", "4.5"])
def test_the_acted_on_question_accepts_only_1_to_5(client, link, client_a, value):
    _replied(client_a)
    before = FeedbackResponse.objects.count()
    response = client.post(_url(link), {**DATA, "acted_on": value})
    assert response.status_code == 400
    assert "Choose a number from 1 to 5." in response.content.decode()
    assert "Warn us before extra bills." in response.content.decode()
    assert FeedbackResponse.objects.count() == before
