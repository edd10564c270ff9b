"""Which words in a text are someone's name: the firm's people and offices for the nudges, and
clients and their contact persons as well for anything published.

A name is matched on folded text (see text.py), as whole words: first names, surnames, full
names, display names, usernames and the usual short forms of a first name (Patricia: Pat,
Patty, Trish). A name that is also an everyday English word ("pat", "will", "mark", "bob",
"grace", "green") counts only when it is written like a name: capitalised in the middle of a
sentence, capitalised at the start of one and followed by what a person does ("Pat forgot",
"Mark's"), or next to another part of the same person's name.

The lookup is one query (a UNION over the tables names come from). The nudges' index of people
and offices is kept in each process until a person or an office changes (accounts.caching,
accounts.apps); publishing reads everything afresh every time.
"""

from dataclasses import dataclass, field

from django.db.models import CharField, Value

from accounts import caching

from .text import WORD, Folded, fold, fold_name


def wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Everyday English words that are also first names, surnames or nicknames.
EVERYDAY = wordset(
    """
    al amber april art august autumn baker banks barber basil bell berry best bill bird
    black bliss bloom blue bob brand brandy brook brooks brown buck bud bunny bush butler
    candy carol carter case cash chance chase cherry chip christian chuck clay cliff
    coffee cole colt cook cooper cross crystal daisy dale dawn day dean dell dot drew
    duke dusty earl east english eve faith fern fields fish fisher fleming flora ford
    forest fox frank gale gay gene ginger glen golden good grace grant gray green grey
    guy hale hall hardy harley hart hawk hazel heath herb hill holly honey hope hunt
    hunter iris ivy jack jade jay jewel joy judge june kay king kit knight lamb lance
    lane lark law lee little long love low lucky mark marsh mason matt may meadow
    mercy miles miller mint misty moody moon moss nick noble north olive page park parks
    pat patience pearl penny pepper person pierce pike porter power price pride prince
    rain ray read reed rich river rivers rob robin rock rocky rod rose ross ruby rush
    rusty sage sam sandy savage scott scout shade sharp short sky skip slate small smith
    snow sparks spencer spike spring stan stark steel sterling stone storm strong summer
    sunny sweet swift tad taylor temple terry thorn tuck tucker van victor violet wade
    walker wall ward warren waters wells west white will win winter wise wolf wood woods
    wren young
    """
)

# Words of a job or a placeholder ("Finance lead", "Sam Client"): never a name on their own.
ROLE_WORDS = wordset(
    """
    client customer contact lead finance financial manager owner cfo ceo coo cto controller
    director office team admin accounts accounting bookkeeper partner assistant staff user
    president founder treasurer accountant head chief officer payroll hr reception general
    operations unknown none test bench senior junior associate tax audit
    """
)

# The usual short forms of a first name, both ways round.
NICKNAMES = {
    "abigail": "abby",
    "alexander": "alex al",
    "alexandra": "alex sasha",
    "andrew": "andy drew",
    "anthony": "tony",
    "barbara": "barb",
    "benjamin": "ben",
    "catherine": "cathy kate",
    "charles": "charlie chuck",
    "christopher": "chris",
    "daniel": "dan danny",
    "david": "dave",
    "deborah": "deb debbie",
    "donald": "don",
    "edward": "ed eddie ted",
    "elizabeth": "liz beth betty",
    "frances": "fran",
    "francesca": "fran",
    "francis": "frank fran",
    "frederick": "fred",
    "gregory": "greg",
    "james": "jim jimmy jamie",
    "jennifer": "jen jenny",
    "jessica": "jess",
    "john": "jack johnny",
    "jonathan": "jon",
    "joseph": "joe joey",
    "joshua": "josh",
    "katherine": "kate kathy katie",
    "kenneth": "ken",
    "lawrence": "larry",
    "margaret": "maggie meg peggy",
    "matthew": "matt",
    "michael": "mike mikey",
    "nicholas": "nick",
    "patricia": "pat patty trish",
    "patrick": "pat paddy",
    "peter": "pete",
    "rebecca": "becky becca",
    "richard": "rich rick dick",
    "robert": "bob rob bobby robbie",
    "ronald": "ron",
    "samantha": "sam",
    "samuel": "sam",
    "stephen": "steve",
    "steven": "steve",
    "susan": "sue",
    "thomas": "tom tommy",
    "timothy": "tim",
    "victoria": "vicky tori",
    "william": "will bill billy",
}

# Words that start many company names: never a client's short name on their own.
GENERIC_FIRST_WORDS = wordset(
    """
    the a an first united national american global general central north south east west
    new old city county metro premier advanced applied allied international pacific
    atlantic great greater royal standard modern classic best quality top prime total
    """
)
COMPANY_SUFFIXES = wordset("llc inc ltd llp corp co plc pc lp company group")

# What a person does next when a capitalised everyday word at a sentence's start is a name.
_AFTER_A_NAME = wordset(
    """
    s and said told asked was wasn't is isn't did didn't does doesn't had hadn't has hasn't
    never always forgot missed ignored dropped called sent wrote promised over overpromised
    failed left should shouldn't would could couldn't wouldn't won't refused messed screwed
    """
)

_PERSON_DOES = wordset(
    """
    s said told asked forgot missed ignored dropped never always didn't promised overpromised
    over failed refused messed screwed wasn't hasn't hadn't doesn't
    """
)
_MODAL = frozenset({"will", "may", "can", "must", "might"})


@dataclass(frozen=True)
class Name:
    label: str  # as written in the data, for messages
    kind: str  # person, team (an office), client or contact
    words: tuple[str, ...]  # folded
    owner: int  # the same number for every name of one person, client or contact


@dataclass(frozen=True)
class NameMatch:
    name: Name
    start: int  # in the original text
    end: int
    written: str  # the words as written


# Short forms by full first name, and full names by short form.
_SHORT = {full: tuple(shorts.split()) for full, shorts in NICKNAMES.items()}
_FULL: dict[str, list[str]] = {}
for _full, _shorts in _SHORT.items():
    for _short in _shorts:
        _FULL.setdefault(_short, []).append(_full)


@dataclass
class NameIndex:
    by_first_word: dict[str, list[Name]] = field(default_factory=dict)
    parts: dict[str, set[int]] = field(default_factory=dict)  # a word: whose name it is part of
    _seen: set = field(default_factory=set)
    _unsorted: set = field(default_factory=set)

    def add(self, label: str, kind: str, owner: int, words: tuple[str, ...] | None = None):
        words = words if words is not None else tuple(fold_name(label).split())
        if not words or words[0].isdigit() or (words, owner) in self._seen:
            return
        if len(words) == 1 and (len(words[0]) < 3 or words[0] in ROLE_WORDS):
            return
        self._seen.add((words, owner))
        self.by_first_word.setdefault(words[0], []).append(Name(label.strip(), kind, words, owner))
        self._unsorted.add(words[0])
        for word in words:
            self.parts.setdefault(word, set()).add(owner)

    def add_person(self, owner: int, *names: str) -> None:
        """A person's display name, full name, first and last names and username."""
        spelt = [
            (label, tuple(fold_name(label).split()))
            for label in names
            if label and "@" not in label
        ]
        for label, words in spelt:
            self.add(label, "person", owner, words)
            if len(words) > 1:
                for word in words:
                    self.add(word.title(), "person", owner, (word,))
        for first in {words[0] for _, words in spelt[:3] if words}:
            for other in (*_SHORT.get(first, ()), *_FULL.get(first, ())):
                self.add(other.title(), "person", owner, (other,))

    def add_client(self, owner: int, name: str) -> None:
        self.add(name, "client", owner)
        words = fold_name(name.replace("&", " ")).split()
        while words and words[-1] in COMPANY_SUFFIXES:
            words.pop()
        if words:
            self.add(" ".join(words), "client", owner, tuple(words))
            if words[0] not in GENERIC_FIRST_WORDS and len(words[0]) >= 4:
                self.add(words[0].title(), "client", owner, (words[0],))

    def add_contact(self, owner: int, name: str) -> None:
        self.add(name, "contact", owner)
        for word in fold_name(name).split():
            self.add(word.title(), "contact", owner, (word,))

    def sort(self) -> None:
        """Longest names first, so "Alice Moreno" wins over "Alice"."""
        for word in list(self._unsorted):
            self.by_first_word[word].sort(key=lambda name: len(name.words), reverse=True)
        self._unsorted.clear()

    def find(self, text: str) -> list[NameMatch]:
        """Every name written in `text`, longest first where two overlap, in text order."""
        if not text:
            return []
        folded = fold(text)
        found = []
        for start, end, name in self.find_folded(folded):
            start, end = folded.span(start, end, text)
            found.append(NameMatch(name, start, end, text[start:end]))
        return found

    def find_folded(self, folded: Folded) -> list[tuple[int, int, Name]]:
        """Every name in folded text, as spans of the folded text."""
        if not self.by_first_word:
            return []
        if self._unsorted:
            self.sort()
        original = folded.original
        tokens = [(m.start(), m.end(), m.group()) for m in WORD.finditer(folded.text)]
        found = []
        index = 0
        while index < len(tokens):
            match = self._match_at(tokens, index, folded, original)
            if match is None:
                index += 1
                continue
            name, used = match
            found.append((tokens[index][0], tokens[index + used - 1][1], name))
            index += used
        return found

    def _match_at(self, tokens, index, folded, text):
        for name in self.by_first_word.get(tokens[index][2], ()):
            size = len(name.words)
            window = tokens[index : index + size]
            if len(window) < size or tuple(t[2] for t in window) != name.words:
                continue
            if any(
                folded.text[a[1] : b[0]] not in (" ", "-", " - ", ". ")
                for a, b in zip(window, window[1:], strict=False)
            ):
                continue
            everyday = size == 1 and name.words[0] in EVERYDAY
            if everyday and not self._written_like_a_name(tokens, index, folded, text, name):
                continue
            return name, size
        return None

    def _written_like_a_name(self, tokens, index, folded, text, name) -> bool:
        start, _ = folded.span(tokens[index][0], tokens[index][1], text)
        neighbours = [tokens[i][2] for i in (index - 1, index + 1) if 0 <= i < len(tokens)]
        if any(
            word != name.words[0] and name.owner in self.parts.get(word, ()) for word in neighbours
        ):
            return True
        following = tokens[index + 1][2] if index + 1 < len(tokens) else ""
        if not text[start].isupper():
            # "bob never returns calls": lower case, but a person's doing follows.
            return name.words[0] not in _MODAL and following in _PERSON_DOES
        before = text[:start].rstrip()
        if before and before[-1] not in ".!?:;\n\"'(" and not before.endswith("- "):
            return True
        return following in _AFTER_A_NAME or following.endswith("ed")


def people() -> NameIndex:
    """The firm's active people and its offices: what the nudges look for (kept: one query
    when someone or an office has changed)."""
    return caching.latest("names:people", lambda: build(include_clients=False), of=("reference",))


def everyone() -> NameIndex:
    """Everyone who ever worked here, offices, clients and client contacts, read now: what
    publishing looks for."""
    return build(include_clients=True)


def _rows(model, kind: str, *fields: str, **filters):
    blanks = {f"blank{i}": Value("", output_field=CharField()) for i in range(4 - len(fields))}
    return (
        model.objects.filter(**filters)
        .order_by()
        .annotate(**blanks, kind=Value(kind, output_field=CharField()))
        .values_list("pk", *fields, *blanks, "kind")
    )


def build(*, include_clients: bool) -> NameIndex:
    """One query for every name, however many tables it comes from."""
    from accounts.models import Office, User

    # Published text names no one, former colleagues included; the nudges look for active people.
    people_filter = {} if include_clients else {"is_active": True}
    queries = [
        _rows(User, "person", *User.NAME_FIELDS, **people_filter),
        _rows(Office, "team", "name"),
    ]
    if include_clients:
        from feedback.models import Client, ExitInterview, FeedbackResponse

        queries += [
            _rows(Client, "client", "name"),
            _rows(ExitInterview, "contact", "interviewee_name", interviewee_name__gt=""),
            _rows(FeedbackResponse, "contact", "contact_name", contact_name__gt=""),
        ]
    rows = queries[0].union(*queries[1:], all=True)
    index = NameIndex()
    for number, (pk, first, second, third, fourth, kind) in enumerate(rows):
        owner = hash((kind, pk, number if kind == "contact" else 0))
        if kind == "person":
            full = f"{second} {third}".strip()
            index.add_person(owner, first, full, second, third, fourth)
        elif kind == "team":
            index.add(first, "team", owner)
        elif kind == "client":
            index.add_client(owner, first)
        else:
            index.add_contact(owner, first)
    index.sort()
    return index
