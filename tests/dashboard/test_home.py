import pytest
from django.urls import reverse

from tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_a_partner_the_headline(client, firm, pat):
    client.force_login(pat)
    html = client.get(reverse("home")).content.decode()
    assert "$155,000" in html
    assert "Open the lessons dashboard" in html


def test_the_home_page_shows_an_account_manager_their_clients_and_actions(client, firm, alice):
    client.force_login(alice)
    html = client.get(reverse("home")).content.decode()
    assert ">c9</a>" in html  # her largest active client
    assert ">c1</a>" not in html  # lost clients are not "my clients"
    assert ">A3</a>" in html
    assert "1 overdue" in html


def test_the_home_page_shows_upcoming_reviews_someone_takes_part_in(client, firm, sam):
    review = ReviewFactory(title="Why we lost c1")
    review.participants.create(user=sam)
    ReviewFactory(title="Somebody else's review")
    client.force_login(sam)
    html = client.get(reverse("home")).content.decode()
    assert "Why we lost c1" in html
    assert "Somebody else" not in html
    assert "Nothing open" in html


@pytest.mark.parametrize("persona", ["pat", "alice", "sam"])
def test_the_home_page_runs_the_same_queries_with_more_actions(
    client, firm, persona, request, django_assert_num_queries
):
    from tests.factories import ActionFactory

    user = request.getfixturevalue(persona)
    client.force_login(user)
    client.get(reverse("home"))
    with django_assert_num_queries(HOME_QUERIES[persona]):
        client.get(reverse("home"))
    ActionFactory.create_batch(20, owner=user)
    with django_assert_num_queries(HOME_QUERIES[persona]):
        client.get(reverse("home"))


# The team goals come rendered from the cache (accounts.caching): no query once warm.
HOME_QUERIES = {"pat": 10, "alice": 9, "sam": 8}
