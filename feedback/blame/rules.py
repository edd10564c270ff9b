"""The rules, as regular expressions over folded text (lower case, plain apostrophes, single
spaces; see text.py). A firm name found in the text is blanked to NAME characters first, so a
rule says "a name" the same way it says "the tax team".

Each rule belongs to one kind; `detect` in __init__.py runs them and explains each match.
"""

import re

# A name from the index, blanked to this character (never typed, the same length as the name).
NAME = "\x02"

_B = r"(?<![\w\x02])"  # a word starts here (a blanked name counts as a word)
_E = r"(?![\w\x02])"  # a word ends here


def _words(text: str) -> str:
    return "|".join(sorted(text.split(), key=len, reverse=True))


_IRREGULAR = _words(
    """
    done made sent caught told known seen gone taken given spoken written brought thought got
    gotten kept left paid said set put read run found heard held understood built bought felt
    met lost won chosen shown hidden driven begun drawn forgotten spent sold taught meant dealt
    led stuck withdrawn foreseen overseen let cut hit rung been had
    """
)
_NOT_PARTICIPLES = _words(
    "need seed speed feed bed red shed weed breed greed deed creed bleed hundred sacred naked"
)
PARTICIPLE = rf"(?:(?!(?:{_NOT_PARTICIPLES}){_E})(?:[a-z]+-)?[a-z]+ed|{_IRREGULAR}){_E}"
_ADVERB = (
    r"(?:(?:just|really|probably|definitely|obviously|clearly|at least|already|simply|easily|"
    r"never|also|so|all|maybe|surely|certainly|honestly|totally|at the very least|at the time|"
    r"even|actually|properly|better|earlier|sooner) )*"
)

# Who can be the subject of a failure: a blanked name, a role, a team or a function.
_ROLE = _words(
    """
    sales management leadership payroll tax audit assurance advisory bookkeeping billing admin
    hr marketing operations ops compliance reception partner partners manager managers junior
    juniors senior seniors staff staffer staffers intern interns temp temps associate associates
    preparer preparers reviewer reviewers bookkeeper bookkeepers receptionist controller cfo ceo
    boss accountant accountants cpa cpas lead
    """
)
_GROUP = (
    r"(?:(?:(?!client|clients|customer)[a-z]+ ){1,2}(?:team|department|dept|desk|office|side|"
    r"crew|guys|folks|people)|account managers?|engagement (?:manager|partner)s?|front desk|"
    r"head office|new (?:hire|guy|girl)s?|(?:the|our|their|that|his|her|my) ams?)"
)
_TEAM = (
    rf"(?:(?:the|our|their|that|this|his|her|my) )?"
    rf"(?:{_GROUP}|(?:{_ROLE}))"
)
_PERSON = r"(?:\x02+(?: (?:office|team|people|folks|guys))?(?:'s)?|he|she|someone|somebody)"
SUBJECT = rf"{_B}(?:{_PERSON}|{_TEAM}){_E}"
# Without a bare "sales" or "audit", which may start a noun ("because of audit fieldwork").
SUBJECT_STRICT = (
    rf"{_B}(?:{_PERSON}|(?:the|our|their|that|this|his|her|my) (?:{_ROLE})|"
    rf"(?:(?:the|our|their|that|this|his|her|my) )?{_GROUP}){_E}"
)

_GAP = (
    r"(?:(?: who(?: [\w'-]+){1,8}?)"
    r"|(?: (?:on|for|from|at|in charge of|in) (?:the |that |this |our |their )?[\w'-]+)"
    r"|(?: (?:just|totally|completely|simply|clearly|obviously|basically|again|also|then|had|has|"
    r"have|really|literally|apparently|probably|all|both|once again|themselves|himself|herself|"
    r"always|constantly|routinely|regularly|often|"
    r"kind of|sort of|somehow|still|even|actually|conveniently)){0,3})?"
)
_FAILED = (
    r"(?:over[- ]?promis\w*|over[- ]?sold|over[- ]?sell\w*|over[- ]?commit\w*|forgot|forgets|"
    r"forgotten|ignored|ignores|ignoring|missed|misses|messed up|screwed up|screws up|stuffed up|"
    r"cocked up|botched|fumbled|blew (?:it|the \w+)|dropped|lost track|lost the \w+|failed|fails|"
    r"neglected|neglects|overlooked|mishandled|misread|misquoted|mis-?sold|sat on|slipped up|"
    r"let (?:it|this|that|them|things|the \w+) (?:slip|slide|drop|lapse|fall)|let (?:\w+ )?down|"
    r"(?:didn't|did not|wouldn't|won't) (?:even )?(?:check|call|follow|respond|answer|reply|"
    r"escalate|listen|read|send|tell|notice|flag|return|review|pick|bother|care|think|do|"
    r"get back|show up|turn up|look)\w*|refused to|"
    r"never (?:even )?(?:called|checked|followed|responded|answered|replied|escalated|listened|"
    r"sent|told|noticed|flagged|returned|reviewed|picked|bothered|cared|thought|did|got back|"
    r"showed up|turned up|looked)|los(?:es|e|ing) (?:track|the \w+)|ignore|forget|"
    r"keeps? (?:forgetting|missing|ignoring|dropping|losing)|"
    r"ghosted|vanished|disappeared|went (?:silent|dark|missing|awol)|"
    r"(?:was|were|is|are|has been|have been|kept being|got) (?:completely |totally |always |often |"
    r"basically |just |really |so )?(?:unreachable|unresponsive|unavailable|awol|mia|"
    r"missing in action|nowhere to be found|asleep|out of touch|too slow|too busy|slow to respond|"
    r"impossible to reach|hard to reach|impossible to get hold of|not available|not reachable|"
    r"not responsive|no help|the problem|the bottleneck|the weak link|to blame|"
    r"responsible for (?:the|this|that|our) \w+|supposed to)|"
    r"made (?:a|the|an) (?:\w+ )?(?:mistake|mess|error|blunder|hash)|made mistakes|"
    r"got (?:it|this|that|the \w+) wrong|caused (?:the|this|it|that)|"
    r"(?:couldn't|could not|can't|cannot) be (?:reached|bothered|found)|never picks? up|"
    r"(?:doesn't|don't) listen|lost (?:us|them) the \w+|cost us (?:the|this|that)|"
    r"drove (?:them|the client) away|pushed (?:them|the client) away|"
    r"upset (?:them|the client)|promised (?:them )?(?:too much|everything|the moon))"
    rf"{_E}"
)

HINDSIGHT = [
    (
        rf"{_B}(?:should|ought to|could|would)(?:n't| not)?(?: have|'ve| of| a) "
        rf"{_ADVERB}{PARTICIPLE}",
        ("should", "ought", "could", "would"),
    ),
    (
        rf"{_B}(?:shoulda|coulda|woulda){_E}",
        ("oulda",),
    ),
    (
        rf"{_B}if only{_E}",
        ("if only",),
    ),
    (
        rf"{_B}(?:in|with) hindsight{_E}",
        ("hindsight",),
    ),
    (
        rf"{_B}if (?:[\w'\x02-]+ ){{0,3}}?(?:had|[a-z\x02]+'d)(?:n't| not)? {_ADVERB}{PARTICIPLE}",
        ("if ",),
    ),
    (
        rf"(?:^|(?<=[.;!?,] ))had (?:[\w'\x02-]+ ){{1,3}}?{PARTICIPLE}"
        rf"[^.;!?]{{0,80}}?{_B}(?:would|could|might)(?:n't)?{_E}",
        ("had ",),
    ),
    (
        rf"{_B}why (?:didn't|did not|hadn't|wasn't|weren't|couldn't|wouldn't) (?:anyone|anybody|"
        rf"someone|somebody|any of us|he|she|they|you|we|\x02+){_E}",
        ("why ",),
    ),
    (
        rf"{_B}why did (?:no ?one|no-one|nobody){_E}",
        ("why ",),
    ),
    (
        rf"{_B}(?:no ?one|no-one|nobody) (?:even )?(?:bothered|thought|cared|took the time|"
        rf"could be bothered|[a-z]+ed|did|sent|told|caught|picked up|checked|called)",
        ("nobody", "no one", "noone", "no-one"),
    ),
    (
        rf"{_B}(?:didn't|did not|never|couldn't|could not) (?:even )?bother(?:ed)?{_E}",
        ("bother",),
    ),
    (
        rf"{_B}(?:was|were|it's|is) (?:so |completely |totally |pretty )?obvious{_E}",
        ("obvious",),
    ),
]

CHARACTER = [
    (
        rf"{_B}(?:careless(?:ly|ness)?|lazy|laziness|lazily|sloppy|sloppily|sloppiness|clueless|"
        rf"incompeten(?:t|ce|tly)|stupid(?:ity|ly)?|useless|negligen(?:t|ce|tly)|idiot(?:s|ic)?|dumb|"
        rf"inept(?:itude)?|unprofessional(?:ly)?|irresponsible|arrogan(?:t|ce)|slackers?|slacking|"
        rf"moron(?:s|ic)?|amateur(?:ish|s| hour)|half-?[ae]r?ssed|ignorant|pathetic|clowns?|"
        rf"selfish|hopeless at|too lazy|lazy-?bones|rubber-?stamp(?:ed|ing|s)?){_E}",
        (
            "careless",
            "laz",
            "slopp",
            "clueless",
            "incompeten",
            "stupid",
            "useless",
            "negligen",
            "idiot",
            "dumb",
            "inept",
            "unprofessional",
            "irresponsible",
            "arrogan",
            "slack",
            "moron",
            "amateur",
            "ssed",
            "ignorant",
            "pathetic",
            "clown",
            "selfish",
            "hopeless",
            "rubber",
        ),
    ),
    (
        rf"{_B}(?:not a team player|no common sense|can(?:'t|not) be trusted|"
        rf"out of (?:his|her|their|its) depth|asleep (?:at the wheel|on the job)|"
        rf"sleeping on the job|(?:not|wasn't|weren't) paying attention|head in the sand|"
        rf"(?:drop|drops|dropped|dropping) the ball|let (?:the )?ball drop|dropped ball|"
        rf"(?:doesn't|don't|didn't|does not|do not|did not) (?:really |even )?care|"
        rf"(?:couldn't|could not) care less|(?:couldn't|can't|could not|cannot) be bothered|"
        rf"(?:bad|poor|terrible|awful|lousy) attitude|attitude problem|blew it){_E}",
        (
            "team player",
            "common sense",
            "trusted",
            "depth",
            "asleep",
            "sleeping",
            "attention",
            "head in the sand",
            "ball",
            "care",
            "bothered",
            "attitude",
            "blew it",
        ),
    ),
]

GENERALISATION = [
    (
        rf"{_B}as (?:usual|always|ever|per usual){_E}",
        ("as ",),
    ),
    (
        rf"{_B}typical(?:ly)? of{_E}",
        ("typical",),
    ),
    (
        rf"{_B}(?:typical|classic) {SUBJECT}",
        ("typical", "classic"),
    ),
    (
        rf"{_B}(?:yet again|again and again|every single time|same old|time after time|"
        rf"always the same (?:with|from))",
        ("again", "every single", "same old", "time after", "always the same"),
    ),
    (
        rf"{_B}for the (?:hundredth|millionth|nth|umpteenth|third|fifth) time{_E}",
        ("for the",),
    ),
    (
        rf"{_B}never learns?{_E}",
        ("never learn",),
    ),
    (
        rf"(?:{SUBJECT}|{_B}they) (?:[a-z]+ )?(?:(?:never|always)(?! {PARTICIPLE})|constantly|"
        rf"routinely|forever|(?:keeps?|kept) (?:making|forgetting|missing|ignoring|dropping|doing|"
        rf"losing|getting)){_E}",
        ("never", "always", "constantly", "routinely", "forever", "keep", "kept"),
    ),
    (
        rf"{SUBJECT} being {SUBJECT}",
        (" being ",),
    ),
    (
        rf"{_B}that's {SUBJECT} for you",
        ("that's", "thats"),
    ),
]

_BLAME_WORD = r"(?<!no )(?<!not )(?<!not to )(?<!without )(?<!about )(?<!of )"
CAUSE = [
    (
        rf"{SUBJECT}{_GAP} {_FAILED}",
        None,
    ),
    (
        rf"{_B}(?:{_PERSON}|his|her|their|your|"
        rf"(?!(?:it|that|there|what|here|who|he|she|let|where|this)'s)[a-z]+'s|"
        rf"[a-z]+s') (?:own )?(?:\w+ )?(?:fault|mistake|error|screw-?up|blunder|negligence|"
        rf"carelessness|laziness|incompetence|attitude){_E}",
        (
            "fault",
            "mistake",
            "error",
            "screw",
            "blunder",
            "negligence",
            "carelessness",
            "laziness",
            "incompetence",
            "attitude",
        ),
    ),
    (
        rf"{_B}(?:fault|mistake|error)s? (?:of|by) {SUBJECT}",
        ("fault", "mistake", "error"),
    ),
    (
        rf"{_B}(?:was|were|got|been|is|are) (?:completely |totally |just )?"
        rf"(?:botched|missed|ignored|forgotten|dropped|mishandled|overlooked|messed up|screwed up|"
        rf"lost|misread|neglected|"
        rf"mis-?sold|over-?promised) by {SUBJECT}",
        (" by ",),
    ),
    (
        rf"{_B}(?:it|this|that)(?:'s| is| was) (?:all )?(?:on|down to) (?:{SUBJECT}|him|her){_E}",
        (" on ", "down to"),
    ),
    (
        rf"{_B}(?:because of|thanks to|due to) (?:{SUBJECT_STRICT}|him|her){_E}",
        ("because of", "thanks to", "due to"),
    ),
    (
        rf"{_B}{_BLAME_WORD}(?:blam(?:e|ed|es|ing))(?!-?free|less|-?less){_E}",
        ("blam",),
    ),
    (
        rf"{_B}(?:at fault|whose fault|fault lies|the culprit|culprits?|scapegoat){_E}",
        ("fault", "culprit", "scapegoat"),
    ),
]

_CLIENT = r"(?:(?:the|this|that|our|these|those|a) )?(?:client|clients|customer|customers|they)"
EXCUSE = [
    (
        rf"{_B}(?:difficult|unreasonable|impossible|demanding|nightmare|toxic|problem|cheap|awful|"
        rf"terrible|crazy|needy|picky|fussy|rude|hostile|stubborn|high[- ]maintenance|entitled|"
        rf"penny[- ]pinching|bad) (?:client|clients|customer|customers){_E}",
        ("client", "customer"),
    ),
    (
        rf"{_B}{_CLIENT} (?:(?:was|is|were|are|has been|have been|had been|seemed|got|became|just|"
        rf"always|never|simply|so|very|really|being|was being|were being|totally|completely) )+"
        rf"(?:(?:never|not|rarely|hardly ever) (?:happy|satisfied)|difficult|unreasonable|"
        rf"impossible|demanding|a nightmare|a pain|cheap|rude|crazy|nuts|"
        rf"toxic|hostile|stubborn|aggressive|abusive|hard to (?:deal|work|please)\w*|"
        rf"high[- ]maintenance|picky|fussy|needy|unrealistic|clueless|disorgani[sz]ed|impatient|"
        rf"going to (?:leave|stay)|looking for an excuse|price shopping|"
        rf"shopping (?:around )?on price|"
        rf"out of (?:their|his|her) minds?){_E}",
        ("client", "customer", "they"),
    ),
    (
        rf"{_B}(?:client|customer)s? from hell{_E}",
        ("from hell",),
    ),
    (
        rf"{_B}nothing (?:we|anyone|i) (?:could|can)(?:'ve| have)? (?:done|do){_E}",
        ("nothing",),
    ),
    (
        rf"{_B}(?:out of|outside|beyond) (?:our|my) control{_E}",
        ("control",),
    ),
    (
        rf"{_B}(?:would have|would've|were going to|was going to) (?:left|leave) anyway{_E}",
        ("anyway",),
    ),
    (
        rf"{_B}(?:only|just) (?:cared|care|wanted|want|went for|looking) (?:about |for )?"
        rf"(?:the )?(?:cheap\w*|price|fees|lowest)",
        ("only", "just"),
    ),
    (
        rf"{_B}price[- ]shopp(?:er|ers|ing){_E}",
        ("shopp",),
    ),
    (
        rf"{_B}(?:client|customer|clients|customers)(?:'s|') (?:own )?(?:fault|attitude|problem)",
        ("client", "customer"),
    ),
    (
        rf"{_B}blam(?:e|ed|ing) (?:the |our )?(?:client|customer)s?{_E}",
        ("blam",),
    ),
    (
        rf"{_B}{_CLIENT} (?:(?:never|didn't|did not|wouldn't|would not|refused to) "
        rf"(?:listen\w*|take our advice|follow our advice)|ignored our advice){_E}",
        ("listen", "advice"),
    ),
]


def _compile(pattern: str) -> re.Pattern:
    """People drop apostrophes ("didnt", "shouldve"): so may the rules."""
    return re.compile(pattern.replace("n't", "n'?t").replace("'ve", "'?ve"))


# Words that judge things as well as people: "the portal is useless" judges no one. They count
# as judging a person unless a thing, and no person or team, comes before them in the sentence.
FOR_THINGS_TOO = re.compile(r"useless|hopeless|pathetic|sloppy|stupid|dumb|amateur")
THING = re.compile(
    r"\b(?:portal|system|software|form|template|website|site|app|tool|process|scanner|printer|"
    r"server|interface|checklist|report|spreadsheet|machine|e-file|feed|integration|workflow|"
    r"inbox|phone|database|upgrade|update|search|letter|invoice|policy|rule)s?\b"
)
SOMEONE = re.compile(SUBJECT)

# What the client said, reported as theirs, is their view: no nudge for the author.
REPORTED = re.compile(
    r"\b(?:client|clients|customer|cfo|owner|controller|they)(?:'s words|'s view| said| says|"
    r" told us| mentioned| complained| felt| feels| reported| wrote| thought)\b|in their words"
)


# Each rule with the words one of which a text must hold for the rule to be worth running (None:
# always run): most notes hold none of them, and a substring test costs next to nothing.
RULES: list[tuple[str, re.Pattern, tuple[str, ...] | None]] = [
    (kind, _compile(pattern), needles)
    for kind, rules in [
        ("excuse", EXCUSE),
        ("hindsight", HINDSIGHT),
        ("character", CHARACTER),
        ("generalisation", GENERALISATION),
        ("cause", CAUSE),
    ]
    for pattern, needles in rules
]
