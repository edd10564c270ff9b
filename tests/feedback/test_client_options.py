"""The client menu's search (accounts.widgets.SearchSelect): options for clients one may see."""

import re

import pytest
from django.urls import reverse

from tests.factories import ClientFactory, ExitInterviewFactory

pytestmark = pytest.mark.django_db
URL = reverse("feedback:client_options")


def _options(response) -> list[tuple[str, bool, str]]:
    assert response.status_code == 200
    return [
        (value, bool(selected), label)
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', response.content.decode()
        )
    ]


def test_the_client_search_finds_clients_by_part_of_their_name(client, pat, client_a, client_b):
    client.force_login(pat)
    assert _options(client.get(URL, {"q": "dent", "field": "client"})) == [
        (str(client_b.pk), False, "Birch Dental")
    ]


def test_the_client_search_offers_only_clients_the_person_may_see(
    client, alice, sam, client_a, client_b
):
    client.force_login(alice)
    assert _options(client.get(URL, {"q": "", "field": "client"})) == [
        (str(client_a.pk), False, "Acme Holdings")
    ]
    # Naming another account manager's client as chosen does not reveal it.
    chosen = client.get(URL, {"q": "birch", "field": "client", "client": client_b.pk})
    assert _options(chosen) == []
    client.force_login(sam)
    assert _options(client.get(URL, {"field": "client"})) == []


def test_chosen_clients_stay_first_and_selected(client, pat, client_a, client_b):
    client.force_login(pat)
    response = client.get(
        URL, {"q": "birch", "field": "clients", "clients": [client_a.pk, "x", "-1", ""]}
    )
    assert _options(response) == [
        (str(client_a.pk), True, "Acme Holdings"),
        (str(client_b.pk), False, "Birch Dental"),
    ]


def test_an_optional_menu_keeps_its_empty_choice(client, pat, client_a):
    client.force_login(pat)
    response = client.get(URL, {"q": "zzz", "field": "client", "blank": "---------"})
    assert _options(response) == [("", False, "---------")]


def test_the_client_search_escapes_names_and_caps_the_list(client, pat):
    ClientFactory(name="<b>Bold</b> & Co")
    for n in range(25):
        ClientFactory(name=f"Zephyr {n:02}")
    client.force_login(pat)
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in client.get(URL, {"q": "bold"}).content.decode()
    assert len(_options(client.get(URL, {"q": "zephyr"}))) == 20


def test_the_client_search_runs_the_same_queries_for_many_clients(
    client, pat, django_assert_max_num_queries
):
    client.force_login(pat)
    ClientFactory.create_batch(3)

    def count():
        with django_assert_max_num_queries(20) as captured:
            client.get(URL, {"q": "", "field": "client", "client": "1"})
        return len(captured.captured_queries)

    few = count()
    ClientFactory.create_batch(30)
    assert count() == few


INTERVIEWS = reverse("feedback:interview_options")


def test_the_interview_menu_finds_interviews_one_may_read_by_client_name(
    client, alice, pat, client_a, client_b
):
    mine = ExitInterviewFactory(client=client_a, interviewer=alice, client_words="Too slow")
    ExitInterviewFactory(client=client_a, interviewer=pat, restricted=True)  # not for alice
    ExitInterviewFactory(client=client_b)
    client.force_login(alice)
    options = _options(client.get(INTERVIEWS, {"q": "acme", "field": "exit_interviews"}))
    assert options == [
        (str(mine.pk), False, f"Exit interview with Acme Holdings on {mine.held_on}")
    ]
    assert "Too slow" not in client.get(INTERVIEWS).content.decode()
    client.force_login(pat)
    assert len(_options(client.get(INTERVIEWS, {"q": "acme"}))) == 2
    assert len(_options(client.get(INTERVIEWS, {"q": "birch"}))) == 1
