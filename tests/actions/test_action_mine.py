import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db
URL = reverse("actions:action_mine")


def test_my_actions_lists_my_open_actions_overdue_first(client, alice, bob):
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


def test_my_actions_shows_recently_closed_actions_separately(client, alice):
    ActionFactory(owner=alice, status=Action.Status.DONE, evidence="Roster", title="Closed one")
    client.force_login(alice)
    response = client.get(URL)
    assert [a.title for a in response.context["closed_actions"]] == ["Closed one"]
    assert list(response.context["open_actions"]) == []


def test_my_actions_pages_my_open_actions_and_counts_them_all(client, alice):
    today = timezone.localdate()
    ActionFactory.create_batch(26, owner=alice, due_on=today + dt.timedelta(days=9))
    ActionFactory.create_batch(2, owner=alice, due_on=today - dt.timedelta(days=1))
    ActionFactory(owner=alice, status=Action.Status.DONE, evidence="Roster", title="Closed one")
    client.force_login(alice)
    first = client.get(URL)
    assert len(first.context["open_actions"]) == 25
    assert all(a.is_overdue for a in list(first.context["open_actions"])[:2])
    assert b"28 open" in first.content
    assert b"2 overdue" in first.content
    assert b"Page 1 of 2" in first.content
    assert first.context["closed_actions"] == []  # closed ones follow the last page
    last = client.get(URL, {"page": 2})
    assert len(last.context["open_actions"]) == 3
    assert [a.title for a in last.context["closed_actions"]] == ["Closed one"]
    assert client.get(URL, {"page": "nine"}).status_code == 200


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

    def count(page):
        with django_assert_max_num_queries(50) as captured:
            assert client.get(URL, {"page": page}).status_code == 200
        return len(captured.captured_queries)

    ActionFactory.create_batch(5, owner=alice)
    five = count(1)
    ActionFactory.create_batch(45, owner=alice)
    assert count(2) == five  # both the last page, with the recently closed list
