"""Benchmark the reminder sweep: 100k open actions, 10k reminders due now, two sweeper
processes, each with its own database connection, calling the service the beat task calls.

Mail goes to a recording backend, so the command can count what was sent twice and what was
never sent. The last line of output is JSON for `make bench`.
"""

import json
import multiprocessing
import time
from collections import Counter

from django.contrib.auth.hashers import make_password
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.benchmarks import add_allow_production_argument, refuse_in_production
from accounts.models import User
from actions import services
from actions.models import Action, Reminder

PREFIX = "bench-reminders-"


def worker_context():
    """Separate processes, each with its own database connection (forked after the parent
    closed its own)."""
    return multiprocessing.get_context("fork")


class RecordingBackend(BaseEmailBackend):
    """Sends nothing; remembers, per process, the reminder ids of every digest."""

    sent: list[tuple[str, list[int]]] = []

    def send_messages(self, email_messages):
        for message in email_messages:
            ids = [int(pk) for pk in message.extra_headers["X-Learnorg-Reminders"].split(",")]
            RecordingBackend.sent.append((message.extra_headers["Message-ID"], ids))
        return len(email_messages)


def _sweeper(start, results, at) -> None:
    """One worker process: sweep as at `at` until nothing is left, then report what it sent."""
    connections.close_all()
    RecordingBackend.sent = []
    backend = f"{__name__}.RecordingBackend"
    with override_settings(EMAIL_BACKEND=backend):
        start.wait()
        began = time.monotonic()
        while True:
            result = services.send_due_reminders(now=at)
            if not result.reminders and not result.failed:
                break
        ended = time.monotonic()
    connections.close_all()
    results.put({"began": began, "ended": ended, "sent": RecordingBackend.sent})


class Command(BaseCommand):
    help = "Time the reminder sweep with N open actions, M reminders due now and W workers."

    def add_arguments(self, parser):
        parser.add_argument("--actions", type=int, default=100_000)
        parser.add_argument("--due", type=int, default=10_000)
        parser.add_argument("--people", type=int, default=2_000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--keep", action="store_true", help="Leave the benchmark rows.")
        add_allow_production_argument(parser)

    def handle(self, *args, **options):
        refuse_in_production(command="bench_reminders", allowed=options["allow_production"])
        if options["due"] > options["actions"]:
            raise CommandError("--due cannot exceed --actions (one reminder per action).")
        now = timezone.now()
        # The sweep sends only when the reminder policy allows it; at night or at a weekend
        # the benchmark sweeps as at the next moment it may.
        at = services.next_sending_time(now)
        others_due = Reminder.objects.filter(sent_at__isnull=True, scheduled_for__lte=at)
        if others_due.exclude(recipient__username__startswith=PREFIX).exists():
            raise CommandError(
                "This database has real reminders due; the sweep would send them. "
                "Run the benchmark on a database of its own."
            )
        self._clean()
        self.stdout.write(
            f"Creating {options['actions']:,} open actions, {options['due']:,} reminders due "
            f"now for {options['people']:,} people…"
        )
        started = time.monotonic()
        due_ids = self._populate(options["actions"], options["due"], options["people"], now)
        self.stdout.write(f"  set-up took {time.monotonic() - started:.1f} s")

        connections.close_all()
        context = worker_context()
        start = context.Event()
        results = context.Queue()
        workers = [
            context.Process(target=_sweeper, args=(start, results, at))
            for _ in range(options["workers"])
        ]
        for worker in workers:
            worker.start()
        time.sleep(1)  # let every worker reach the starting line
        start.set()
        reports = [results.get(timeout=600) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        seconds = max(r["ended"] for r in reports) - min(r["began"] for r in reports)

        sent_ids = Counter(pk for r in reports for _, ids in r["sent"] for pk in ids)
        message_ids = Counter(mid for r in reports for mid, _ in r["sent"])
        duplicates = sum(n - 1 for pk, n in sent_ids.items() if pk in due_ids and n > 1)
        still_unsent = Reminder.objects.filter(pk__in=due_ids, sent_at__isnull=True).count()
        missed = max(still_unsent, len(due_ids - set(sent_ids)))
        emails = sum(message_ids.values())
        per_worker = ", ".join(str(len(r["sent"])) for r in reports)

        if not options["keep"]:
            self._clean()
        self.stdout.write(
            f"Sent {len(due_ids) - missed:,} of {len(due_ids):,} due reminders in {emails:,} "
            f"digests ({per_worker} per worker) in {seconds:.2f} s with "
            f"{options['workers']} workers: {missed} missed, {duplicates} duplicates, "
            f"{sum(n - 1 for n in message_ids.values())} repeated Message-IDs."
        )
        self.stdout.write(
            json.dumps(
                {
                    "reminders": {
                        "due": len(due_ids),
                        "seconds": round(seconds, 2),
                        "missed": missed,
                        "duplicates": duplicates,
                        "emails": emails,
                        "workers": options["workers"],
                        "open_actions": options["actions"],
                    }
                }
            )
        )

    @transaction.atomic
    def _populate(self, n_actions: int, n_due: int, n_people: int, now) -> set[int]:
        password = make_password(None)
        User.objects.bulk_create(
            User(
                username=f"{PREFIX}{i}",
                display_name=f"Bench Person {i}",
                email=f"{PREFIX}{i}@example.com",
                password=password,
            )
            for i in range(n_people)
        )
        people = list(User.objects.filter(username__startswith=PREFIX).values_list("pk", flat=True))
        due_on = timezone.localdate()
        Action.objects.bulk_create(
            (
                Action(
                    title=f"Benchmark action {i}",
                    owner_id=people[i % len(people)],
                    due_on=due_on,
                )
                for i in range(n_actions)
            ),
            batch_size=5_000,
        )
        actions = Action.objects.filter(owner_id__in=people).values_list("pk", "owner_id")
        reminders = [
            Reminder(action_id=pk, kind=Reminder.Kind.DUE, recipient_id=owner, scheduled_for=now)
            for pk, owner in actions[:n_due]
        ]
        Reminder.objects.bulk_create(reminders, batch_size=5_000)
        return set(Reminder.objects.filter(recipient_id__in=people).values_list("pk", flat=True))

    @transaction.atomic
    def _clean(self) -> None:
        bench = User.objects.filter(username__startswith=PREFIX)
        Reminder.objects.filter(recipient__in=bench).delete()
        Action.objects.filter(owner__in=bench).delete()
        bench.delete()
