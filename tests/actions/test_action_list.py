import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from tests.factories import ActionFactory, ClientFactory, ReviewFactory

pytestmark = pytest.mark.django_db
URL = reverse("actions:action_list")


def test_the_action_list_404s_for_people_who_are_neither_partner_nor_facilitator(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 404


@pytest.mark.parametrize("persona", ["pat", "fran"])
def test_partners_and_facilitators_see_every_action(client, request, persona, alice, bob):
    ActionFactory(owner=alice, title="Alice's")
    ActionFactory(owner=bob, title="Bob's")
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == 200
    assert {a.title for a in response.context["page"]} == {"Alice's", "Bob's"}


def test_the_action_list_filters_by_status_owner_source_due_and_overdue(client, pat, alice, bob):
    today = timezone.localdate()
    review = ReviewFactory()
    overdue = ActionFactory(owner=alice, due_on=today - dt.timedelta(days=2), title="Overdue")
    from_review = ActionFactory(owner=bob, source_review=review, title="From review")
    done = ActionFactory(
        owner=alice, status=Action.Status.DONE, evidence="x", title="Done", due_on=today
    )
    client.force_login(pat)

    def titles(**params):
        return {a.title for a in client.get(URL, params).context["page"]}

    assert titles(status="done") == {done.title}
    assert titles(status="still_open") == {overdue.title, from_review.title}
    assert titles(owner=bob.pk) == {from_review.title}
    assert titles(source="review") == {from_review.title}
    assert titles(source="none") == {overdue.title, done.title}
    assert titles(overdue="on") == {overdue.title}
    assert titles(due_from=today.isoformat(), due_to=today.isoformat()) == {done.title}


def test_bad_filter_values_give_a_message_not_an_error(client, pat):
    client.force_login(pat)
    response = client.get(URL, {"due_from": "not-a-date", "status": "bogus", "owner": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_action_list_flags_actions_of_deactivated_owners_for_reassignment(
    client, pat, deactivated
):
    ActionFactory(owner=deactivated, title="Orphaned")
    client.force_login(pat)
    response = client.get(URL, {"needs_reassignment": "on"})
    assert [a.title for a in response.context["page"]] == ["Orphaned"]
    assert b"Needs reassignment" in response.content


def test_the_action_list_paginates(client, pat, alice):
    ActionFactory.create_batch(30, owner=alice)
    client.force_login(pat)
    assert len(client.get(URL).context["page"]) == 25
    assert len(client.get(URL, {"page": 2}).context["page"]) == 5


def _count_queries(client, django_assert_max_num_queries, n):
    with django_assert_max_num_queries(50) as captured:
        response = client.get(URL)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_its_query_count_does_not_grow_with_rows(
    client, pat, alice, bob, django_assert_max_num_queries
):
    def make(n):
        for i in range(n):
            review = ReviewFactory() if i % 2 else None
            ActionFactory(
                owner=alice if i % 2 else bob, client=ClientFactory(), source_review=review
            )

    client.force_login(pat)
    make(5)
    five = _count_queries(client, django_assert_max_num_queries, 5)
    make(45)  # new actions: the kept owner menu is read again (accounts.caching)
    fifty = _count_queries(client, django_assert_max_num_queries, 50)
    assert fifty == five
    # While no action changes its owner, the menu costs no query.
    assert _count_queries(client, django_assert_max_num_queries, 50) == five - 1


def test_the_owner_menu_lists_everyone_who_owns_an_action(client, pat, alice, bob, sam):
    ActionFactory(owner=alice)
    ActionFactory(owner=bob, status="done", evidence="Roster")
    client.force_login(pat)
    html = client.get(URL).content.decode()
    menu = html.split('name="owner"')[1].split("</select>")[0]
    assert f'<option value="{alice.pk}">{alice.name}</option>' in menu
    assert f'<option value="{bob.pk}">{bob.name}</option>' in menu
    assert f'value="{sam.pk}"' not in menu
    selected = client.get(URL, {"owner": bob.pk}).content.decode()
    assert f'<option value="{bob.pk}" selected>' in selected


def test_the_partners_list_leaves_marking_done_to_the_owner_or_the_action_page(client, pat, alice):
    theirs = ActionFactory(owner=alice)
    mine = ActionFactory(owner=pat)
    client.force_login(pat)
    html = client.get(URL).content.decode()
    assert f'action="{reverse("actions:action_complete", args=[mine.pk])}"' in html
    assert f'action="{reverse("actions:action_complete", args=[theirs.pk])}"' not in html
    assert f'action="{reverse("actions:action_start", args=[theirs.pk])}"' in html


def _owner_menu(client) -> str:
    return client.get(URL).content.decode().split('name="owner"')[1].split("</select>")[0]


def test_the_owner_menu_shows_a_new_or_reassigned_owner_at_once(client, pat, alice, bob, sam):
    action = ActionFactory(owner=alice)
    client.force_login(pat)
    assert bob.name not in _owner_menu(client)
    ActionFactory(owner=bob)
    assert bob.name in _owner_menu(client)
    action.owner = sam
    action.save(update_fields=["owner"])
    menu = _owner_menu(client)
    assert sam.name in menu and alice.name not in menu
