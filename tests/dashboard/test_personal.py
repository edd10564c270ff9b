"""An account manager's own view at /dashboard/: their clients (at risk first) with each one's
open actions, and their own open actions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Action
from feedback.models import Client
from tests.factories import ActionFactory, ClientFactory

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:index")


def _row(html: str, name: str) -> str:
    return html.split(f">{name}</a>")[1].split("</tr>")[0].strip()


def test_each_client_shows_its_open_actions(client, alice, bob):
    harbor = ClientFactory(name="Harbor", account_manager=alice, annual_fees=90_000)
    quiet = ClientFactory(name="Quiet", account_manager=alice, annual_fees=10_000)
    ActionFactory(owner=alice, client=harbor)
    ActionFactory(owner=bob, client=harbor, status=Action.Status.IN_PROGRESS)
    ActionFactory(owner=alice, client=harbor, status=Action.Status.DONE, evidence="Done")
    ActionFactory(owner=alice, client=quiet, status=Action.Status.VERIFIED, evidence="Done")
    client.force_login(alice)
    html = client.get(URL).content.decode()
    assert _row(html, "Harbor").endswith('<td class="text-end">2</td>')
    assert _row(html, "Quiet").endswith('<td class="text-end">0</td>')


def test_lost_clients_are_left_out(client, alice):
    ClientFactory(name="Gone", account_manager=alice, status=Client.Status.LOST)
    client.force_login(alice)
    assert ">Gone</a>" not in client.get(URL).content.decode()


def test_the_query_count_does_not_grow_with_clients_and_actions(client, alice):
    client.force_login(alice)

    def make(n):
        for _ in range(n):
            ActionFactory(owner=alice, client=ClientFactory(account_manager=alice))

    make(2)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    make(30)
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many.captured_queries) == len(few.captured_queries)
