"""A large, realistic firm for `make bench` (built by `manage.py seed_bench`): N clients with exit
interviews, 2.5 N actions, N / 5 reviews with notes, feedback and learning checks, written with
bulk inserts.

Run it on an empty database or on top of the demo data; it skips when the data set of that
size is already there. The people it creates log in with BENCH_PASSWORD (default
"learnorg-bench"): bench-partner (a partner) and bench-am (an account manager).

Losses are made predictable the way a real firm's are, and no more: about half of the clients
later lost for a reason we control show warning signs in the months before (low feedback
ratings about the cause they later give, a save attempt that failed, an action on them left
overdue); the other half leave without warning, and healthy clients send some low ratings and
have overdue actions too. Fees move the same way: many clients get a small rise now and then,
a few a large rise or a cut; before about half of the losses for a fees reason came a large
rise, and before some other controllable losses a large rise or a cut (scope shrinking). The
clients-at-risk panel is measured against this.
"""

import contextlib
import datetime as dt
import io
import json
import os
import random
import time

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Office, Role, User
from actions.models import Action
from dashboard.models import Goal
from feedback.models import (
    Client,
    ExitInterview,
    FeeChange,
    FeedbackResponse,
    LearningCheck,
    LossReason,
    SaveAttempt,
    ServiceLine,
)
from retrospectives.models import Contribution, Participant, Phase, Review

BENCH_PASSWORD = os.environ.get("BENCH_PASSWORD", "learnorg-bench")
PARTNER = "bench-partner"  # the first partner's username (see _people)
OFFICES = ["Boston", "Hartford", "Providence", "Worcester", "Springfield", "Portland"]
SERVICE_LINES = ["Tax", "Audit & assurance", "Advisory", "Bookkeeping", "Payroll"]
YEARS = 8
WORDS = [
    "When",
    "our",
    "notice",
    "came",
    "in",
    "nobody",
    "called",
    "us",
    "back",
    "for",
    "two",
    "weeks",
    "and",
    "the",
    "bill",
    "surprised",
    "us",
    "again",
    "the",
    "team",
    "changed",
    "every",
    "season",
    "so",
    "we",
    "explained",
    "it",
    "over",
]


def _sentence(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choices(WORDS, k=n)).capitalize() + "."


# What clients say and teams suppose, for the interview search: a few complaints are common and
# most are rare (weights fall as 1 / rank), so a searched word matches a realistic share of
# interviews rather than nearly all of them, as words drawn from one short list would.
PHRASES = [
    "nobody called us back for two weeks",
    "the bill surprised us again",
    "the team changed every season",
    "we explained our business over and over",
    "the portal kept logging us out",
    "our extension was filed late",
    "the partner never came to a meeting",
    "questions sat unanswered before the deadline",
    "the engagement letter did not match the work",
    "fees went up without a conversation",
    "the payroll run had errors twice",
    "a penalty notice arrived that nobody explained",
    "the juniors did not know our industry",
    "we found a cheaper firm closer to home",
    "the audit dragged on for months",
    "we were sold advisory work we did not need",
    "the bookkeeping was always a quarter behind",
    "nobody warned us about the new lease rules",
    "the sales tax registration was missed",
    "our controller had to redo the reconciliations",
    "the manager left and took the knowledge with her",
    "invoices were vague about what was done",
    "we merged and the buyer has its own auditors",
    "the owner retired and the family sold the company",
    "the estimated payments were calculated wrong",
    "the software migration lost a year of receipts",
    "we never heard about planning opportunities",
    "the R&D credit study came too late to use",
    "our bank wanted reviewed statements sooner",
    "the state nexus question was ignored",
]
PHRASE_WEIGHTS = [1 / (rank + 1) for rank in range(len(PHRASES))]


def _words(rng: random.Random, phrases: int) -> str:
    """A few complaints, most often the common ones."""
    said = rng.choices(PHRASES, PHRASE_WEIGHTS, k=phrases)
    return " and ".join(said).capitalize() + "."


ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value)
    elif isinstance(value, dt.date):
        value = value.isoformat()
    return str(value).translate(ESCAPES)


def _copy(model, rows: list[dict]) -> None:
    """COPY is several times faster than INSERT for a million rows. Ids are reserved from the
    table's sequence first, so the caller knows them without reading anything back."""
    if not rows:
        return
    table = model._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
        first = cursor.fetchone()[0]
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + len(rows) - 1]
        )
        fields = model._meta.concrete_fields
        constant = {
            f.attname: f.get_default()
            for f in fields
            if not (f.has_default() and callable(f.default))
        }
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                constant[f.attname] = now
        buffer = io.StringIO()
        for offset, row in enumerate(rows):
            row["id"] = first + offset
            buffer.write(
                "\t".join(
                    _text(
                        row[f.attname]
                        if f.attname in row
                        else constant[f.attname]
                        if f.attname in constant
                        else f.get_default()
                    )
                    for f in fields
                )
            )
            buffer.write("\n")
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


@contextlib.contextmanager
def _checks_after_load():
    """On PostgreSQL, skip per-row foreign-key triggers while loading (the rows are generated
    consistent) when we may; the load is one transaction either way."""
    replica = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            replica = cursor.fetchone()[0]
            if replica:
                cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    if replica:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


@contextlib.contextmanager
def _indexes_built_after_load(*models):
    """On PostgreSQL, building an index once over loaded rows is far cheaper than updating it
    row by row: drop the plain (non-constraint) indexes, load, then recreate them exactly as
    they were. All inside the seed's transaction, so a failure leaves them untouched."""
    saved = []
    if connection.vendor == "postgresql":
        tables = [model._meta.db_table for model in models]
        with connection.cursor() as cursor:
            # Rows written earlier in the same transaction (the demo, in a test) still have
            # deferred foreign-key checks pending, and PostgreSQL refuses DDL on their tables.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.tablename = ANY(%s) AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [tables],
            )
            saved = cursor.fetchall()
            for name, _ in saved:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _, definition in saved:
            cursor.execute(definition)


@contextlib.contextmanager
def _dates_as_given(*fields):
    """auto_now_add would stamp every bulk-created row with now; a realistic history needs the
    dates we give it, so switch it off for the duration of the seed."""
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True


def client_name(number: int) -> str:
    """The bench's clients are numbered from 1; the last one's name marks a finished data set."""
    return f"Bench client {number:06d}"


def already_built(*, interviews: int) -> bool:
    """Whether the data set of that size is already there."""
    return Client.objects.filter(name=client_name(interviews)).exists()


def people_exist() -> bool:
    """Whether the bench's people are there, from a data set of any size."""
    return User.objects.filter(username=PARTNER).exists()


class BenchFirm:
    """Builds the data set in one transaction; `log` is told each step and how long it took."""

    def __init__(self, *, batch: int = 5_000, seed: int = 7, log=print):
        self.rng, self.batch, self.today = random.Random(seed), batch, timezone.localdate()
        # Interviews' words come from a random stream of their own.
        self.text_rng = random.Random(seed + 1)
        self.log = log

    def build(self, *, interviews: int) -> None:
        with (
            transaction.atomic(),
            _checks_after_load(),
            _indexes_built_after_load(
                Client,
                ExitInterview,
                Action,
                Review,
                Contribution,
                Participant,
                FeedbackResponse,
                FeeChange,
            ),
            _dates_as_given(
                Action._meta.get_field("created_at"),
                FeedbackResponse._meta.get_field("submitted_at"),
                Review._meta.get_field("created_at"),
                Contribution._meta.get_field("created_at"),
            ),
        ):
            people = self._step("people", self._people)
            clients = self._step("clients", self._clients, interviews, people)
            reasons = self._step("interviews", self._interviews, clients)
            self._step("actions", self._actions, int(interviews * 2.5), clients, people)
            self._step("reviews", self._reviews, interviews // 5, clients, people)
            self._step("feedback", self._feedback, interviews // 5, clients)
            self._step("warning signs", self._warning_signs, clients, reasons, people)
            self._step("fee changes", self._fee_changes, clients, reasons)
            self._step("learning checks", self._learning_checks, people["staff"])
            self._step("team goal", self._goal, people["partner"][0])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _step(self, name, function, *args):
        started = time.monotonic()
        result = function(*args)
        self.log(f"  {name}: {time.monotonic() - started:.1f} s")
        return result

    def _bulk(self, model, rows: list[dict]) -> list[dict]:
        """Insert rows given as {column attname: value}; sets each row's "id"."""
        if connection.vendor == "postgresql":
            _copy(model, rows)
        else:
            for start in range(0, len(rows), self.batch):
                chunk = rows[start : start + self.batch]
                made = model.objects.bulk_create([model(**row) for row in chunk])
                for row, obj in zip(chunk, made, strict=True):
                    row["id"] = obj.pk
        return rows

    def _day(self, years: float = YEARS) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randrange(int(365 * years)))

    def _moment(self, day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(9 + self.rng.randrange(8))))

    def _people(self) -> dict[str, list]:
        offices = [Office.objects.get_or_create(name=name)[0] for name in OFFICES]
        password = make_password(BENCH_PASSWORD)
        groups = {role: Group.objects.get(name=role.value) for role in Role}
        plan = [
            ("partner", 20, User.Seniority.PARTNER, Role.PARTNER),
            ("am", 100, User.Seniority.MANAGER, Role.ACCOUNT_MANAGER),
            ("facilitator", 10, User.Seniority.SENIOR, Role.FACILITATOR),
            ("staff", 300, User.Seniority.STAFF, None),
        ]
        people: dict[str, list] = {"offices": [office.pk for office in offices]}
        for kind, count, seniority, role in plan:
            users = User.objects.bulk_create(
                User(
                    username=f"bench-{kind}" + (f"-{i:03d}" if i else ""),
                    display_name=f"Bench {kind.title()} {i}",
                    email=f"bench-{kind}-{i}@example.com",
                    seniority=seniority,
                    office=offices[i % len(offices)],
                    password=password,
                )
                for i in range(count)
            )
            if role:
                groups[role].user_set.add(*users)
            people[kind] = [user.pk for user in users]
        return people

    def _clients(self, count: int, people) -> list[dict]:
        rng = self.rng
        lines = [ServiceLine.objects.get_or_create(name=name)[0].pk for name in SERVICE_LINES]
        industries, bands = Client.Industry.values, Client.SizeBand.values
        clients = []
        for i in range(1, count + 1):
            lost = rng.random() < 0.85
            clients.append(
                {
                    "name": client_name(i),
                    "industry": rng.choice(industries),
                    "size_band": rng.choice(bands),
                    "annual_fees": rng.choice([8, 15, 25, 40, 60, 90, 150]) * 1000,
                    "office_id": rng.choice(people["offices"]),
                    "relationship_partner_id": rng.choice(people["partner"]),
                    "account_manager_id": rng.choice(people["am"]),
                    "status": Client.Status.LOST if lost else Client.Status.ACTIVE,
                    "lost_on": self._day() if lost else None,
                    "client_since": self._day(20) - dt.timedelta(days=365 * YEARS),
                }
            )
        self._bulk(Client, clients)
        self._bulk(
            Client.service_lines.through,
            [
                {"client_id": client["id"], "serviceline_id": line}
                for client in clients
                for line in rng.sample(lines, rng.choice([1, 1, 2]))
            ],
        )
        return clients

    def _interviews(self, clients: list[dict]) -> dict[int, int | None]:
        """One interview per client; returns each lost client's primary reason."""
        rng = self.rng
        reasons = list(LossReason.objects.values_list("pk", flat=True))
        # A Pareto-shaped taxonomy: a few reasons explain most losses.
        weights = [1 / (i + 1) for i in range(len(reasons))]
        rows = []
        for client in clients:
            reason = rng.choices(reasons, weights)[0] if rng.random() < 0.95 else None
            team = rng.random()
            lost = client["status"] == Client.Status.LOST
            rows.append(
                {
                    "client_id": client["id"],
                    "interviewer_id": client["account_manager_id"],
                    "held_on": client["lost_on"] or self._day(1),
                    "channel": ExitInterview.Channel.CALL,
                    "client_words": _words(self.text_rng, 3),
                    "client_primary_reason_id": reason,
                    "team_hypothesis": _words(self.text_rng, 1),
                    "team_reason_id": (
                        reason if team < 0.45 else rng.choice(reasons) if team < 0.8 else None
                    ),
                    "would_return": rng.choice(ExitInterview.WouldReturn.values),
                    "recommend_score": rng.randrange(11),
                    "fees_lost": client["annual_fees"] if rng.random() < 0.8 else None,
                    "restricted": rng.random() < 0.05,
                    "status": ExitInterview.Status.FINAL if lost else ExitInterview.Status.DRAFT,
                    "lost_on": client["lost_on"] if lost else None,
                }
            )
        self._bulk(ExitInterview, rows)
        self._bulk(
            ExitInterview.client_other_reasons.through,
            [
                {"exitinterview_id": row["id"], "lossreason_id": rng.choice(reasons)}
                for row in rows
                if rng.random() < 0.2
            ],
        )
        return {
            row["client_id"]: row["client_primary_reason_id"]
            for row in rows
            if row["status"] == ExitInterview.Status.FINAL
        }

    def _actions(self, count: int, clients: list[dict], people) -> None:
        rng = self.rng
        reasons = list(LossReason.objects.values_list("pk", flat=True))
        owners = people["am"] + people["staff"] + people["facilitator"]
        statuses = Action.Status.values
        rows = []
        for i in range(count):
            created = self._day()
            status = rng.choices(statuses, [15, 10, 30, 35, 10])[0]
            done_at = verified_at = None
            if status in ("done", "verified"):
                done_on = min(created + dt.timedelta(days=rng.randrange(10, 100)), self.today)
                done_at = self._moment(done_on)
            if status == "verified":
                verified_at = done_at + dt.timedelta(days=rng.randrange(30))
            rows.append(
                {
                    "title": f"Bench action {i}",
                    "detail": _sentence(rng),
                    "client_id": rng.choice(clients)["id"] if rng.random() < 0.6 else None,
                    "cause_id": rng.choice(reasons) if rng.random() < 0.8 else None,
                    "owner_id": rng.choice(owners),
                    "created_by_id": rng.choice(people["facilitator"]),
                    "due_on": created + dt.timedelta(days=rng.randrange(14, 120)),
                    "priority": rng.choice(Action.Priority.values),
                    "status": status,
                    "evidence": _sentence(rng) if done_at else "",
                    "done_at": done_at,
                    "verified_at": verified_at,
                    "verified_by_id": rng.choice(people["partner"]) if verified_at else None,
                    "wont_do_reason": "Covered elsewhere." if status == "wont_do" else "",
                    "created_at": self._moment(created),
                }
            )
        self._bulk(Action, rows)

    def _reviews(self, count: int, clients: list[dict], people) -> None:
        rng = self.rng
        reasons = list(LossReason.objects.values_list("pk", flat=True))
        reviews = []
        for i in range(count):
            held = self._moment(self._day())
            live = i < 20
            reviews.append(
                {
                    "title": f"Bench review {i}",
                    "kind": rng.choice(Review.Kind.values),
                    "facilitator_id": rng.choice(people["facilitator"]),
                    "scheduled_for": held,
                    "status": Review.Status.LIVE if live else Review.Status.CLOSED,
                    "phase": Phase.WHY if live else Phase.CLOSE,
                    "join_code": f"B{i:06d}",
                    "started_at": held,
                    "closed_at": None if live else held + dt.timedelta(hours=1),
                    "summary": _sentence(rng, 20),
                    "created_at": held - dt.timedelta(days=7),
                }
            )
        self._bulk(Review, reviews)
        self._bulk(
            Review.clients.through,
            [{"review_id": r["id"], "client_id": rng.choice(clients)["id"]} for r in reviews],
        )
        participants, notes = [], []
        for review in reviews:
            for user in rng.sample(people["staff"], 3):
                participants.append(
                    {
                        "review_id": review["id"],
                        "user_id": user,
                        "joined_at": review["scheduled_for"],
                        "speak_freely": rng.randrange(1, 6),
                    }
                )
            for _ in range(5):
                notes.append(
                    {
                        "review_id": review["id"],
                        "phase": rng.choice([Phase.WORKING, Phase.ACTUAL, Phase.WHY]),
                        "text": _sentence(rng, 18),
                        "author_id": rng.choice(people["staff"]),
                        "cause_id": rng.choice(reasons) if rng.random() < 0.5 else None,
                        "blame_flags": [],
                        "created_at": review["scheduled_for"],
                    }
                )
        self._bulk(Participant, participants)
        self._bulk(Contribution, notes)

    def _feedback(self, count: int, clients: list[dict]) -> None:
        """The pulse of the whole book: mostly content clients, some criticism, triaged to a
        reason when it names a problem."""
        rng = self.rng
        reasons = list(LossReason.objects.filter(controllable=True).values_list("pk", flat=True))
        rows = []
        for _ in range(count):
            rating = rng.choice([3, 5, 6, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10])
            rows.append(
                self._response(
                    rng.choice(clients)["id"],
                    self._day(3),
                    rating,
                    rng.choice(reasons) if rating <= 7 and rng.random() < 0.7 else None,
                )
            )
        self._bulk(FeedbackResponse, rows)

    def _response(self, client: int, day: dt.date, rating: int, reason: int | None) -> dict:
        rng = self.rng
        submitted = self._moment(day)
        replied = rng.random() < 0.1
        return {
            "client_id": client,
            "doing_right": _sentence(rng),
            "do_better": _sentence(rng),
            "rating": rating,
            "submitted_at": submitted,
            "triage": "handled" if reason or rng.random() < 0.5 else "new",
            "reason_id": reason,
            "reply_text": "We changed how we tell you about extra work." if replied else "",
            "reply_sent_at": submitted + dt.timedelta(days=30) if replied else None,
        }

    def _warning_signs(self, clients: list[dict], reasons: dict, people) -> None:
        """What came before about half of the controllable losses: low ratings about the cause
        the client later gave (a reason of the same category), a save attempt that failed, an
        action on the client left overdue. The rest of the losses come without warning."""
        rng = self.rng
        taxonomy = {r.pk: r for r in LossReason.objects.all()}
        by_category: dict[str, list[int]] = {}
        for reason in taxonomy.values():
            if reason.controllable:
                by_category.setdefault(reason.category, []).append(reason.pk)
        responses, saves, actions = [], [], []
        for client in clients:
            reason = taxonomy.get(reasons.get(client["id"]))
            if not (reason and reason.controllable and rng.random() < 0.5):
                continue
            lost_on = client["lost_on"]
            for _ in range(rng.choice([1, 1, 2])):
                said = lost_on - dt.timedelta(days=rng.randrange(30, 240))
                cause = rng.choice(by_category[reason.category]) if rng.random() < 0.7 else None
                responses.append(self._response(client["id"], said, rng.randrange(0, 6), cause))
            if rng.random() < 0.3:
                opened = lost_on - dt.timedelta(days=rng.randrange(20, 150))
                saves.append(
                    {
                        "client_id": client["id"],
                        "owner_id": client["account_manager_id"],
                        "trigger": SaveAttempt.Trigger.LOW_RATING,
                        "status": SaveAttempt.Status.LOST,
                        "opened_at": self._moment(opened),
                        "first_contact_due_on": opened + dt.timedelta(days=2),
                        "closed_at": self._moment(lost_on),
                        "client_status_before": Client.Status.ACTIVE,
                    }
                )
            if rng.random() < 0.3:
                created = lost_on - dt.timedelta(days=rng.randrange(90, 300))
                actions.append(
                    {
                        "title": "Bench action on a troubled client",
                        "detail": _sentence(rng),
                        "client_id": client["id"],
                        "cause_id": reason.pk,
                        "owner_id": client["account_manager_id"],
                        "created_by_id": rng.choice(people["facilitator"]),
                        "due_on": created + dt.timedelta(days=rng.randrange(14, 60)),
                        "priority": Action.Priority.HIGH,
                        "status": Action.Status.OPEN,
                        "created_at": self._moment(created),
                    }
                )
        self._bulk(FeedbackResponse, responses)
        self._bulk(SaveAttempt, saves)
        self._bulk(Action, actions)

    def _fee_changes(self, clients: list[dict], reasons: dict) -> None:
        """Each client's fee history, ending at its annual fees. Routine small rises for many
        clients, large rises and cuts at random for a few (healthy clients among them), and
        before some controllable losses a large rise (most often when fees were the reason)
        or a cut, some months before the client left."""
        rng = self.rng
        taxonomy = {r.pk: r for r in LossReason.objects.all()}
        first_day = self.today - dt.timedelta(days=365 * YEARS)
        rows = []
        for client in clients:
            start = max(client["client_since"], first_day)
            end = client["lost_on"] or self.today
            if end <= start + dt.timedelta(days=1):
                continue
            planned = []
            for chance, low, high in [(0.3, 1.02, 1.08), (0.06, 1.15, 1.35), (0.02, 0.5, 0.75)]:
                if rng.random() < chance:
                    day = start + dt.timedelta(days=rng.randrange(1, (end - start).days))
                    planned.append((day, rng.uniform(low, high)))
            reason = taxonomy.get(reasons.get(client["id"]))
            if client["lost_on"] and reason and reason.controllable:
                before = 0.5 if reason.category == LossReason.Category.FEES else 0.1
                if rng.random() < before:
                    said = end - dt.timedelta(days=rng.randrange(30, 240))
                    planned.append((said, rng.uniform(1.15, 1.4)))
                if rng.random() < 0.1:
                    shrunk = end - dt.timedelta(days=rng.randrange(60, 300))
                    planned.append((shrunk, rng.uniform(0.5, 0.75)))
            new = client["annual_fees"]
            # One change a day (the last planned): two on one day have no order to be read in.
            by_day = {day: factor for day, factor in planned if day > start}
            for day, factor in sorted(by_day.items(), reverse=True):
                previous = int(max(round(new / factor, -2), 100))
                rows.append(
                    {
                        "client_id": client["id"],
                        "previous": previous,
                        "new": new,
                        "changed_on": day,
                        "changed_by_id": client["account_manager_id"],
                    }
                )
                new = previous
        self._bulk(FeeChange, rows)

    def _goal(self, partner: int) -> None:
        """The firm's goal for the year, measured from the data: the partners' dashboard and
        every home page show it. A firm has one active goal: on top of the demo, the demo's
        goal stays."""
        if Goal.objects.filter(status=Goal.Status.ACTIVE, office__isnull=True).exists():
            self.log("  the firm already has an active goal; it is kept")
            return
        Goal.objects.create(
            title="Fewer clients lost for reasons we control",
            measure=Goal.Measure.CONTROLLABLE_LOSSES,
            starts_on=self.today.replace(month=1, day=1),
            ends_on=self.today.replace(month=12, day=31),
            baseline=9000,
            target=7500,
            set_by_id=partner,
        )

    def _learning_checks(self, staff: list[int]) -> None:
        rng = self.rng
        quarters = []
        year, quarter = self.today.year, (self.today.month - 1) // 3 + 1
        for _ in range(8):
            quarters.append(f"{year}Q{quarter}")
            year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        self._bulk(
            LearningCheck,
            [
                {
                    "respondent_id": person,
                    "quarter": q,
                    **{f"item{i}": rng.choice([1, 2, 3, 3, 4, 4, 5]) for i in range(1, 6)},
                }
                for person in staff
                for q in quarters
            ],
        )
