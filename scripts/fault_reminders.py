"""Reminder fault test: are reminders delivered exactly once while workers die and Redis restarts?

It makes a scratch PostgreSQL database, starts its own Redis (port 6390 by default, never the
system Redis), an SMTP sink (aiosmtpd) in this process, two Celery workers and beat. Beat sweeps
every 2 seconds. 2,000 reminders fall due over the first minute; workers are SIGKILLed at random
moments while reminders are being sent (and restarted), and Redis is killed and restarted once.
Every e-mail carries the ids of the reminders it delivers (X-Learnorg-Reminders), so the sink
knows exactly what arrived.

Reported (one JSON line on stdout; exit status 1 when a guarantee is broken):
  missed               reminders that never reached the sink                      (must be 0)
  duplicate_emails     digests repeating an already delivered reminder    (must be <= kills)
  lateness_p99_s       99th percentile of (first delivery - scheduled time)

A worker killed between handing a digest to SMTP and marking its rows sent leaves them claimed;
they are re-sent when the claim expires (actions.services.CLAIM_TIMEOUT, 5 minutes), so a run
with kills takes about 6 minutes and its p99 lateness is about that long.

Run: `make faults` (needs PostgreSQL on 127.0.0.1:5432 as user postgres, and redis-server).
Options: --reminders 2000 --recipients 500 --kills 6 --seed N --keep-db.
"""

import argparse
import asyncio
import contextlib
import datetime as dt
import email
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2
from aiosmtpd.controller import Controller
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


class Sink:
    """An SMTP server that notes which reminder ids each message carries and when it arrived.
    It answers each DATA after a short pause, like a real relay, so kills can land mid-send."""

    def __init__(self, delay: float):
        self.delay = delay
        self.lock = threading.Lock()
        self.messages: list[tuple[float, list[int], str]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        ids = [int(i) for i in (message.get("X-Learnorg-Reminders") or "").split(",") if i]
        with self.lock:
            self.messages.append((time.time(), ids, message.get("Message-ID", "")))
        await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def delivered(self) -> dict[int, list[float]]:
        seen: dict[int, list[float]] = {}
        with self.lock:
            for at, ids, _ in self.messages:
                for reminder_id in ids:
                    seen.setdefault(reminder_id, []).append(at)
        return seen


def log(text: str) -> None:
    print(
        f"[faults {time.strftime('%H:%M:%S', time.gmtime())}] {text}", file=sys.stderr, flush=True
    )


def server_cursor():
    connection = psycopg2.connect(dbname="postgres", **PG)
    connection.autocommit = True
    return contextlib.closing(connection)


def recreate_database(name: str) -> None:
    with server_cursor() as connection, connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str) -> None:
    with server_cursor() as connection, connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


class Redis:
    def __init__(self, port: int, logfile: Path):
        self.port, self.logfile, self.process = port, logfile, None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(self.logfile),
            ],
            start_new_session=True,
        )
        for _ in range(100):
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
            )
            if ping.stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class Worker:
    def __init__(self, name: str, env: dict, logdir: Path):
        self.name, self.env, self.logdir = name, env, logdir
        self.process: subprocess.Popen | None = None
        self.restart_at: float | None = None

    def start(self) -> None:
        with open(self.logdir / f"{self.name}.log", "a") as out:
            # The solo pool runs tasks in the worker process itself: one SIGKILL, one
            # interrupted sweep, so each kill can cost at most one repeated digest.
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "learnorg",
                    "worker",
                    "--pool=solo",
                    "-n",
                    f"{self.name}@%h",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.restart_at = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def seed(reminders: int, recipients: int, first_due: dt.datetime, spread: float, rng) -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from accounts.models import User
    from actions.models import Action, Reminder, ReminderPolicy

    # The sweep holds reminders outside working hours; this test is about delivery, at any hour.
    ReminderPolicy.objects.update_or_create(
        pk=1,
        defaults={
            "weekends_off": False,
            "workday_starts": dt.time.min,
            "workday_ends": dt.time.max,
        },
    )

    users = User.objects.bulk_create(
        User(username=f"fault{i}", email=f"fault{i}@example.com", password="!")
        for i in range(recipients)
    )
    today = first_due.date()
    actions = Action.objects.bulk_create(
        Action(title=f"Fault test action {i}", owner=users[i % recipients], due_on=today)
        for i in range(reminders)
    )
    Reminder.objects.bulk_create(
        Reminder(
            action=action,
            kind=Reminder.Kind.DUE,
            sequence=1,
            recipient=action.owner,
            scheduled_for=first_due + dt.timedelta(seconds=rng.uniform(0, spread)),
        )
        for action in actions
    )
    every_two_seconds, _ = IntervalSchedule.objects.get_or_create(
        every=2, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.create(
        name="fault test: sweep due reminders",
        task="actions.tasks.send_due_reminders",
        interval=every_two_seconds,
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reminders", type=int, default=2000)
    parser.add_argument("--recipients", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kills", type=int, default=6, help="SIGKILLs of workers")
    parser.add_argument("--spread", type=float, default=60, help="seconds over which they fall due")
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--smtp-port", type=int, default=2526)
    parser.add_argument("--smtp-delay", type=float, default=0.03, help="seconds per message")
    parser.add_argument("--timeout", type=float, default=900, help="give up after this long")
    parser.add_argument("--database", default="learnorg_faults")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    seed_value = args.seed if args.seed is not None else random.randrange(1_000_000)
    rng = random.Random(seed_value)

    logdir = ROOT / "var" / "faults"
    logdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "learnorg.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{args.redis_port}/0",
        "CELERY_RESULT_BACKEND": f"redis://127.0.0.1:{args.redis_port}/1",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(args.smtp_port),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    log(f"seed {seed_value}; scratch database {args.database}")
    recreate_database(args.database)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    import django

    django.setup()
    from django.db import connection

    from actions.models import Reminder

    redis = Redis(args.redis_port, logdir / "redis.log")
    sink = Sink(args.smtp_delay)
    controller = Controller(sink, hostname="127.0.0.1", port=args.smtp_port)
    workers = [Worker(f"fault{i + 1}", env, logdir) for i in range(args.workers)]
    beat = None
    kills = redis_restarts = 0
    try:
        redis.start()
        controller.start()
        first_due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=15)
        seed(args.reminders, args.recipients, first_due, args.spread, rng)
        scheduled = dict(Reminder.objects.values_list("pk", "scheduled_for"))
        log(f"{len(scheduled)} reminders fall due from {first_due:%H:%M:%S} over {args.spread}s")
        for worker in workers:
            worker.start()
        beat_log = open(logdir / "beat.log", "a")  # noqa: SIM115 - closed in finally
        beat = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "learnorg",
                "beat",
                "--loglevel=INFO",
                f"--pidfile={logdir / 'beat.pid'}",
            ],
            cwd=ROOT,
            env=env,
            stdout=beat_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        started = time.time()
        next_kill = first_due.timestamp() + rng.uniform(1, 10)
        restart_redis_at_share = rng.uniform(0.2, 0.6)
        while time.time() - started < args.timeout:
            time.sleep(0.2)
            delivered = sink.delivered()
            unsent = Reminder.objects.filter(sent_at__isnull=True).count()
            connection.close()
            if unsent == 0 and len(delivered) >= len(scheduled):
                break
            now = time.time()
            sending = unsent > 0 and now >= first_due.timestamp()
            for worker in workers:
                if not worker.alive and worker.restart_at and now >= worker.restart_at:
                    worker.start()
                    log(f"restarted {worker.name}")
            alive = [w for w in workers if w.alive]
            if sending and kills < args.kills and now >= next_kill and alive:
                victim = rng.choice(alive)
                victim.kill()
                victim.restart_at = now + rng.uniform(0.5, 3)
                kills += 1
                log(f"SIGKILLed {victim.name} ({kills}/{args.kills}); {unsent} unsent")
                next_kill = now + rng.uniform(2, 12)
            share_sent = 1 - unsent / len(scheduled)
            if not redis_restarts and sending and share_sent >= restart_redis_at_share:
                redis.kill()
                log(f"killed Redis at {share_sent:.0%} sent")
                time.sleep(rng.uniform(1, 4))
                redis.start()
                redis_restarts += 1
                log("Redis is back")
        else:
            log(f"gave up after {args.timeout}s")
        time.sleep(5)  # a late duplicate would arrive now
    finally:
        for worker in workers:
            worker.stop()
        if beat is not None:
            beat.terminate()
            beat.wait(timeout=20)
        redis.kill()
        with contextlib.suppress(RuntimeError):
            controller.stop()
        connection.close()

    delivered = sink.delivered()
    delivered_once = set()
    duplicate_emails = 0
    for _, ids, _ in sink.messages:
        if delivered_once & set(ids):
            duplicate_emails += 1
        delivered_once |= set(ids)
    lateness = [
        max(0.0, min(times) - scheduled[pk].timestamp())
        for pk, times in delivered.items()
        if pk in scheduled
    ]
    missed = sorted(set(scheduled) - set(delivered))
    result = {
        "reminders": len(scheduled),
        "recipients": args.recipients,
        "workers": args.workers,
        "emails": len(sink.messages),
        "kills": kills,
        "redis_restarts": redis_restarts,
        "missed": len(missed),
        "duplicate_emails": duplicate_emails,
        "duplicate_reminders": sum(len(times) - 1 for times in delivered.values()),
        "lateness_p50_s": round(statistics.median(lateness), 2) if lateness else None,
        "lateness_p99_s": round(percentile(lateness, 99), 2),
        "lateness_max_s": round(max(lateness), 2) if lateness else None,
        "elapsed_s": round(time.time() - started, 1),
        "seed": seed_value,
    }
    result["ok"] = result["missed"] == 0 and duplicate_emails <= kills and redis_restarts == 1
    print(json.dumps(result), flush=True)
    if not args.keep_db:
        drop_database(args.database)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
