"""Names in text: the firm's people for the nudges, and clients and their contacts as well for
anything published. One query, whatever the spelling, spacing or case."""

import pytest

from feedback.blame import detect, names, names_in
from tests.factories import (
    ClientFactory,
    ExitInterviewFactory,
    FeedbackResponseFactory,
    OfficeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def published(text):
    return names_in(text, names=names.everyone())


@pytest.mark.parametrize(
    "text",
    [
        "Harbor Freight needed a backup partner.",
        "Harbor  Freight needed a backup partner.",
        "Harbor\u00a0Freight needed a backup partner.",
        "HARBOR FREIGHT needed a backup partner.",
        "Ｈａｒｂｏｒ Freight needed a backup partner.",
        "harbor\u202f\u2003freight, llc needed a backup partner.",
    ],
)
def test_the_name_index_finds_a_client_however_its_name_is_spaced_or_cased(text):
    ClientFactory(name="Harbor Freight LLC")
    assert len(published(text)) == 1


def test_the_name_index_finds_a_clients_distinctive_first_word_but_not_a_generic_one():
    ClientFactory(name="Kessler Manufacturing Inc.")
    ClientFactory(name="First National Holdings")
    assert published("Kessler left after the fee rise.") == ["Kessler"]
    assert published("The first national filing was late.") == []


def test_the_name_index_finds_surnames_and_full_names_of_people(alice):
    assert published("Moreno missed the notices.") == ["Moreno"]
    assert published("alice  moreno was overloaded") == ["alice moreno"]


def test_the_name_index_finds_client_contacts(alice):
    ExitInterviewFactory(interviewee_name="Dana Whitfield")
    FeedbackResponseFactory(contact_name="Priya Raman")
    assert published("Whitfield wanted monthly calls.") == ["Whitfield"]
    assert published("We spoke to Priya Raman twice.") == ["Priya Raman"]


def test_an_everyday_word_counts_only_when_written_like_a_name(pat, bob):
    assert published("A pat on the back for the team that rebuilt it.") == []
    assert published("Mark the invoices and ask bob about the file.") == []
    assert published("Pat forgot the notices.") == ["Pat"]
    assert published("We asked Pat about it.") == ["Pat"]
    assert published("pat lindqvist was overloaded") == ["pat lindqvist"]
    assert published("bob never called back") == ["bob"]


def test_the_name_index_knows_the_usual_short_forms_of_a_first_name():
    UserFactory(username="rsmith", display_name="Robert Smith", first_name="Robert")
    assert published("Ask Bob before billing.") == ["Bob"]


def test_words_that_contain_a_name_are_not_names(alice, bob):
    assert published("Malice aside, Bobcat Industries and Chenille Ltd were fine.") == []


def test_publishing_looks_for_former_colleagues_and_the_nudges_do_not(deactivated):
    assert published("Ask Former Colleague.") == ["Former Colleague"]
    assert detect("Former Colleague forgot") == []


def test_the_lookup_is_one_query_and_kept_until_people_change(
    django_assert_num_queries, alice, bob
):
    OfficeFactory(name="Hartford")
    ClientFactory(name="Harbor Freight LLC")
    with django_assert_num_queries(1):
        names.everyone()
    with django_assert_num_queries(1):
        assert [flag.kind for flag in detect("Hartford missed it; Alice knew")] == ["cause", "name"]
    with django_assert_num_queries(0):
        detect("Bob Chen was unreachable")
    bob.display_name, bob.first_name, bob.last_name = "Roberta Vance", "Roberta", "Vance"
    bob.save()
    with django_assert_num_queries(1):
        assert [flag.text for flag in detect("Vance was unreachable")] == ["Vance was unreachable"]


def test_a_login_does_not_drop_the_kept_lookup(client, django_assert_num_queries, alice):
    detect("Alice knew")
    client.force_login(alice)
    with django_assert_num_queries(0):
        detect("Alice knew")
