import pytest

from feedback.blame import detect, find_names, person_names


def kinds(text, names=()):
    return [(flag.kind, flag.text) for flag in detect(text, names=list(names))]


def test_it_flags_counterfactuals():
    assert kinds("Sales should have checked the scope; we failed to call back.") == [
        ("counterfactual", "should have"),
        ("counterfactual", "failed to"),
    ]


def test_it_flags_character_and_fault_words_in_any_case():
    assert kinds("A CARELESS review. It was his fault.") == [
        ("character", "CARELESS"),
        ("fault", "fault"),
    ]


def test_it_flags_a_firm_users_name():
    assert kinds("Alice Moreno never called them.", names=["Alice Moreno", "Alice"]) == [
        ("person", "Alice Moreno")
    ]


def test_it_does_not_flag_words_inside_other_words():
    assert (
        kinds("The faultless handover; a blameless review; Malice aforethought.", ["Alice"]) == []
    )


def test_it_leaves_neutral_descriptions_alone():
    assert (
        kinds("The notice arrived during busy season and the roster had no backup partner.") == []
    )


def test_empty_text_has_no_flags():
    assert detect("", names=[]) == []


@pytest.mark.django_db
def test_person_names_come_from_active_users(alice, deactivated):
    names = person_names()
    assert "Alice Moreno" in names and "alice" in names
    assert "Former Colleague" not in names
    assert find_names("ask alice", names) == ["alice"]
