import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from feedback import views
from feedback.models import FeedbackResponse
from tests.factories import FeedbackRequestFactory

pytestmark = pytest.mark.django_db


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


DATA = {"doing_right": "Quick payroll answers.", "do_better": "Warn us before extra bills."}


def test_the_public_form_opens_without_login(client, link):
    response = client.get(_url(link))
    assert response.status_code == 200
    assert "What are we doing right?" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_public_form_saves_the_answer_against_the_client(client, link, client_a):
    response = client.post(_url(link), {**DATA, "rating": "8"})
    assert response["Location"] == reverse("feedback:public_thanks")
    saved = FeedbackResponse.objects.get()
    assert (saved.client, saved.request, saved.rating) == (client_a, link, 8)
    assert client.get(response["Location"]).status_code == 200


def test_the_firm_wide_link_has_no_client(client):
    firm = FeedbackRequestFactory(client=None)
    client.post(_url(firm), DATA)
    assert FeedbackResponse.objects.get().client is None


def test_unknown_and_revoked_tokens_get_the_same_404(client, link):
    link.revoked_at = timezone.now()
    link.save()
    revoked = client.get(_url(link))
    unknown = client.get(reverse("feedback:public_form", args=["x" * 32]))
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.content == unknown.content
    assert client.post(_url(link), DATA).status_code == 404
    assert not FeedbackResponse.objects.exists()


def test_the_honeypot_pretends_and_saves_nothing(client, link):
    response = client.post(_url(link), {**DATA, "website": "http://spam.example"})
    assert response["Location"] == reverse("feedback:public_thanks")
    assert not FeedbackResponse.objects.exists()


def test_the_public_form_limits_posts_per_address(client, link):
    for _ in range(views.PUBLIC_POSTS_PER_WINDOW):
        assert client.post(_url(link), DATA).status_code == 302
    response = client.post(_url(link), DATA)
    assert response.status_code == 429
    assert "wait ten minutes" in response.content.decode()
    assert response.context["form"]["do_better"].value() == DATA["do_better"]
    assert FeedbackResponse.objects.count() == views.PUBLIC_POSTS_PER_WINDOW


def test_the_limit_is_per_address(client, link):
    for _ in range(views.PUBLIC_POSTS_PER_WINDOW + 1):
        client.post(_url(link), DATA, REMOTE_ADDR="10.0.0.1")
    assert client.post(_url(link), DATA, REMOTE_ADDR="10.0.0.2").status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "__all__", "at least one of the two questions"),
        ({"doing_right": "x" * 20_000}, "doing_right", "at most 4000 characters"),
        ({"do_better": "a\x00b"}, "do_better", "Null characters"),
        ({**DATA, "rating": "11"}, "rating", "less than or equal to 10"),
        (
            {**DATA, "contact_email": "not-an-email", "contact_consent": "on"},
            "contact_email",
            "valid email",
        ),
        ({**DATA, "contact_email": "dana@example.com"}, "contact_consent", "Tick this box"),
    ],
)
def test_the_public_form_explains_bad_input(client, link, data, field, message):
    response = client.post(_url(link), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not FeedbackResponse.objects.exists()


def test_contact_details_are_kept_only_with_consent(client, link):
    client.post(
        _url(link),
        {
            **DATA,
            "contact_name": "Dana",
            "contact_email": "dana@example.com",
            "contact_consent": "on",
        },
    )
    saved = FeedbackResponse.objects.get()
    assert (saved.contact_name, saved.contact_email, saved.contact_consent) == (
        "Dana",
        "dana@example.com",
        True,
    )


def test_the_public_form_keeps_script_as_text_and_emoji(client, link, pat, client_a):
    client.post(_url(link), {"do_better": "<script>alert(1)</script> 🙁"})
    assert FeedbackResponse.objects.get().do_better == "<script>alert(1)</script> 🙁"
    client.force_login(pat)
    body = client.get(client_a.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 🙁" in body


def test_the_page_does_not_show_the_staff_navigation(client, link):
    body = client.get(_url(link)).content.decode()
    assert "Feedback triage" not in body and "Log in" not in body
