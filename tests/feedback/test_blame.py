"""The blame detector on its own: what each kind catches, what it leaves alone, and how each
flag explains itself. The labelled corpus (test_blame_corpus.py) measures it at scale."""

import pytest

from feedback.blame import BlameFlag, NameIndex, detect, hint, label


@pytest.fixture
def firm() -> NameIndex:
    index = NameIndex()
    for owner, name in enumerate(["Alice Moreno", "Bob Chen", "Fran Okafor", "Pat Lindqvist"]):
        first, last = name.split()
        index.add_person(owner, name, name, first, last, first.lower())
    index.add("Hartford", "team", 99)
    return index


def kinds(text, names):
    return [(flag.kind, flag.text) for flag in detect(text, names=names)]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("we should have called them the day the notice came", "should have called"),
        ("shouldve checked the scope", "shouldve checked"),
        ("the reviewer should of spotted it", "should of spotted"),
        ("they ought to have escalated", "ought to have escalated"),
        ("someone could've easily prevented this", "could've easily prevented"),
        ("if only we had sent the organiser", "if only"),
        ("Had sales checked the scope, they would", "Had sales checked the scope, they would"),
        ("why didnt anyone check the deposits", "why didnt anyone"),
        ("nobody bothered to read the email", "nobody bothered"),
    ],
)
def test_the_detector_flags_hindsight(firm, text, words):
    assert ("hindsight", words) in kinds(text, firm)


@pytest.mark.parametrize(
    "text",
    [
        "we could have more options next year",
        "we should schedule a check-in with the client",
        "by friday we should have the checklist drafted",
        "should we add a second reviewer?",
    ],
)
def test_plans_and_possibilities_are_not_hindsight(firm, text):
    assert kinds(text, firm) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Careless mistakes on the 941", "Careless"),
        ("the team is clueless about leases", "clueless"),
        ("he doesn't care about small clients", "doesn't care"),
        ("whoever ran the close was asleep at the wheel", "asleep at the wheel"),
        ("we dropped the ball on the estimates", "dropped the ball"),
        ("someone let the ball drop", "let the ball drop"),
    ],
)
def test_the_detector_flags_judgements_of_character(firm, text, words):
    assert ("character", words) in kinds(text, firm)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("as usual the organiser went out late", "as usual"),
        ("As always, nobody told them", "As always"),
        ("typical of the audit team", "typical of"),
        ("the tax team never answers the phone in march", "the tax team never"),
        ("sales always promise too much", "sales always"),
    ],
)
def test_the_detector_flags_generalisations(firm, text, words):
    assert ("generalisation", words) in kinds(text, firm)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("sales over-promised", "sales over-promised"),
        ("management was unreachable in escalations", "management was unreachable"),
        ("It was Fran's mistake", "Fran's mistake"),
        ("it was the audit team's fault", "team's fault"),
        ("the junior who prepared the return forgot", "the junior who prepared the return forgot"),
        ("Hartford missed the deadline", "Hartford missed"),
        ("Moreno missed the notices", "Moreno missed"),
        ("the rollover was botched by the tax team", "was botched by the tax team"),
    ],
)
def test_the_detector_flags_a_person_or_team_as_the_cause(firm, text, words):
    assert ("cause", words) in kinds(text, firm)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("difficult clients", "difficult clients"),
        ("the client was unreasonable about fees", "the client was unreasonable"),
        ("price shopper, nothing we could have done", "nothing we could have done"),
    ],
)
def test_the_detector_flags_excuses_and_nothing_else_in_them(firm, text, words):
    found = kinds(text, firm)
    assert ("excuse", words) in found
    assert {kind for kind, _ in found} == {"excuse"}


@pytest.mark.parametrize(
    "text",
    [
        "the escalation path had no named partner, so the request waited four days",
        "pat on the back for the team",
        "this is a blameless review; blame-free, please",
        "no blame, just what happened",
        "Malice aside, the form was confusing; Bobcat Industries joined in may",
        "the portal failed to send the reminder and is useless on mobile",
        "the client said the partner was hard to reach in march",
        "Will the client accept a phased increase? Mark the notice as answered.",
        "two of the three calls were rescheduled because of audit fieldwork",
    ],
)
def test_the_detector_leaves_situations_systems_plans_and_praise_alone(firm, text):
    assert kinds(text, firm) == []


def test_a_colleagues_name_is_flagged_where_a_role_would_do(firm):
    assert kinds("Alice called them on the 14th", firm) == [("name", "Alice")]


def test_each_flag_says_where_its_words_are_in_the_text_as_typed(firm):
    text = "Ｉn march, Pat\u00a0 Lindqvist   forgot — as usual."
    flags = detect(text, names=firm)
    assert [(flag.kind, text[flag.start : flag.end]) for flag in flags] == [
        ("cause", "Pat\u00a0 Lindqvist   forgot"),
        ("generalisation", "as usual"),
    ]
    assert all(flag.text == text[flag.start : flag.end] for flag in flags)
    assert flags[0].as_dict() == {
        "kind": "cause",
        "text": "Pat\u00a0 Lindqvist   forgot",
        "start": 10,
        "end": 33,
    }


def test_every_kind_has_its_own_label_and_hint():
    flag = BlameFlag("hindsight", "should have", 0, 11)
    assert flag.label == "hindsight" and "make sense at the time" in flag.hint
    assert len({hint(kind) for kind in ["hindsight", "character", "cause", "excuse"]}) == 4
    assert label("counterfactual") == "hindsight"  # notes flagged before the kinds changed


def test_empty_text_has_no_flags(firm):
    assert detect("", names=firm) == [] and detect("   \n", names=firm) == []


def test_marks_follow_the_words_when_the_text_changed_since_the_check():
    from feedback.templatetags.feedback_tags import blame_marks

    flags = [{"kind": "cause", "text": "[client] team dropped", "start": 4, "end": 25}]
    text = "the [client] team dropped it"  # a longer name was erased after the check
    assert blame_marks(text, flags) == (
        'the <mark class="blame-mark" data-kind="cause">[client] team dropped</mark> it'
    )
    assert blame_marks("reworded entirely", flags) == "reworded entirely"
