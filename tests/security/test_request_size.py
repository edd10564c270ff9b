"""Request bodies are capped: a visitor who is not logged in may post what the public forms
hold and no more, refused with 413 before anything parses the body; a signed-in person may
upload the client import's file; form fields held in memory are capped by Django."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from feedback.models import FeedbackResponse
from tests.factories import FeedbackRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_url():
    return reverse("feedback:public_form", args=[FeedbackRequestFactory(client=None).token])


def _big_file(size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("big.bin", b"x" * size, content_type="application/octet-stream")


def test_a_large_anonymous_multipart_post_is_refused_with_413(client, public_url):
    response = client.post(
        public_url, {"doing_right": "Fine.", "attachment": _big_file(3 * 1024 * 1024)}
    )
    assert response.status_code == 413
    assert not FeedbackResponse.objects.exists()


def test_the_cap_applies_before_the_csrf_check_parses_the_body(public_url):
    client = Client(enforce_csrf_checks=True)
    response = client.post(public_url, {"attachment": _big_file(1024 * 1024)})
    assert response.status_code == 413


def test_anonymous_posts_to_pages_behind_the_login_are_capped_too(client):
    response = client.post(reverse("feedback:client_list"), {"f": _big_file(1024 * 1024)})
    assert response.status_code == 413


def test_the_longest_public_answer_still_fits(client, public_url):
    # Four thousand four-byte characters in each box, percent-encoded: the most a person can type.
    longest = "🙂" * 4000
    response = client.post(
        public_url,
        {
            "doing_right": longest,
            "do_better": longest,
            "contact_name": "Dana",
            "contact_email": "dana@example.com",
            "contact_consent": "on",
        },
    )
    assert response.status_code == 302
    assert FeedbackResponse.objects.get().doing_right == longest


def test_a_signed_in_person_may_upload_more_than_a_visitor(client, pat):
    client.force_login(pat)
    response = client.post(
        reverse("feedback:client_import"), {"file": _big_file(2 * settings.PUBLIC_MAX_REQUEST_BODY)}
    )
    assert response.status_code != 413
    too_big = client.post(
        reverse("feedback:client_import"), {"file": _big_file(settings.MAX_REQUEST_BODY + 1)}
    )
    assert too_big.status_code == 413


def test_the_limits_are_set(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440
    assert settings.PUBLIC_MAX_REQUEST_BODY <= 512 * 1024
    assert "accounts.network.RequestBodyLimitMiddleware" in settings.MIDDLEWARE
