import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db
URL = reverse("actions:action_mine")


def test_it_lists_my_open_actions_overdue_first(client, alice, bob):
    today = timezone.localdate()
    later = ActionFactory(owner=alice, title="Later one", due_on=today + dt.timedelta(days=5))
    overdue = ActionFactory(owner=alice, title="Late one", due_on=today - dt.timedelta(days=3))
    ActionFactory(owner=bob, title="Bob's action")
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 200
    assert list(response.context["open_actions"]) == [overdue, later]
    assert b"Bob&#x27;s action" not in response.content
    assert b"1 overdue" in response.content


def test_it_shows_recently_closed_actions_separately(client, alice):
    ActionFactory(owner=alice, status=Action.Status.DONE, evidence="Roster", title="Closed one")
    client.force_login(alice)
    response = client.get(URL)
    assert [a.title for a in response.context["closed_actions"]] == ["Closed one"]
    assert response.context["open_actions"] == []


def test_the_nav_links_my_actions_for_everyone_and_all_actions_for_partners(client, sam, pat):
    client.force_login(sam)
    content = client.get(URL).content.decode()
    all_actions = f'href="{reverse("actions:action_list")}"'
    assert f'href="{reverse("actions:action_mine")}"' in content
    assert all_actions not in content
    client.force_login(pat)
    assert all_actions in client.get(URL).content.decode()


def test_its_query_count_does_not_grow_with_rows(client, alice, django_assert_max_num_queries):
    client.force_login(alice)

    def count():
        with django_assert_max_num_queries(50) as captured:
            assert client.get(URL).status_code == 200
        return len(captured.captured_queries)

    ActionFactory.create_batch(5, owner=alice)
    five = count()
    ActionFactory.create_batch(45, owner=alice)
    assert count() == five
