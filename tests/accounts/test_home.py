import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_an_account_manager_what_they_can_do(client, alice):
    client.force_login(alice)
    response = client.get(reverse("home"))
    assert b"Account manager" in response.content
    assert b"Log what clients told us" in response.content
    assert b"See what we are learning" not in response.content


def test_the_home_page_shows_a_partner_the_dashboard_card(client, pat):
    client.force_login(pat)
    response = client.get(reverse("home"))
    assert b"See what we are learning" in response.content
    assert b"Log what clients told us" not in response.content


def test_the_home_page_shows_staff_only_their_actions(client, sam):
    client.force_login(sam)
    response = client.get(reverse("home"))
    assert b"Your improvement actions" in response.content
    assert b"Run a blameless review" not in response.content
