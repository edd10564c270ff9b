"""The live-review scenario of `make bench`: one presenter and 100 phones on one review while
notes and votes are posted at a steady rate, once with today's polling and once with push.

    python bench/live.py setup --phones 100          (with Django: builds the reviews, prints JSON)
    python bench/live.py load --base URL --plan FILE --mode push|poll --seconds 60

`setup` makes the phones' users and sessions and one fresh review per mode (status live, in the
voting phase, 20 notes to start with). `load` is standard library only (asyncio): it plays every
screen as the browser's JavaScript does (static/js/retrospectives.js) and prints one JSON line:

- poll: every screen asks for its fragment every 2 s with If-None-Match;
- push: every screen holds its stream; on a new version the presenter refetches at once and a
  phone at a random moment within 2 s (and 2 s after its last answer at the soonest); every
  screen still checks every 30 s.

A change has arrived at the presenter when a presenter fetch answers with an ETag whose review
version is at least the one the change produced (read from PostgreSQL right after the POST).
Latency is from sending the POST to that answer.
"""

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import time
import urllib.parse

PHASE_SECONDS = 2.0  # polling interval and the phones' push spread, as in the templates
SAFETY_POLL_SECONDS = 30.0
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
NOTE_ID = re.compile(rb"/notes/(\d+)/vote/")
ETAG_VERSION = re.compile(r'"present-\d+-(\d+)-')


# setup (runs with Django) ------------------------------------------------------------------


def setup(phones: int) -> dict:
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone

    from accounts.models import User
    from retrospectives.models import Contribution, Participant, Phase, Review

    store = import_module(settings.SESSION_ENGINE).SessionStore

    def user(username: str) -> User:
        found, created = User.objects.get_or_create(
            username=username, defaults={"first_name": username.rsplit("-", 1)[-1]}
        )
        if created:
            found.set_unusable_password()
            found.save()
        return found

    def session(person: User) -> str:
        data = store()
        data[SESSION_KEY] = str(person.pk)
        data[BACKEND_SESSION_KEY] = "accounts.sso.PasswordBackend"
        data[HASH_SESSION_KEY] = person.get_session_auth_hash()
        data["_touched_at"] = int(time.time())
        data.create()
        return data.session_key

    facilitator = user("bench-live-facilitator")
    people = [user(f"bench-live-phone-{n:03}") for n in range(phones)]
    reviews = {}
    for mode in ("poll", "push"):
        review = Review.objects.create(
            title=f"Live bench ({mode})",
            facilitator=facilitator,
            scheduled_for=timezone.now(),
            status=Review.Status.LIVE,
            phase=Phase.WHY,
        )
        Participant.objects.bulk_create(
            Participant(review=review, user=person, joined_at=timezone.now()) for person in people
        )
        Contribution.objects.bulk_create(
            Contribution(
                review=review,
                phase=Phase.WHY,
                author=people[n % len(people)],
                anonymous=True,
                text=f"Starting note {n}: the hand-over between teams was unclear.",
            )
            for n in range(20)
        )
        reviews[mode] = {"pk": review.pk, "code": review.join_code}
    return {
        "presenter": session(facilitator),
        "phones": [session(person) for person in people],
        "reviews": reviews,
    }


# load (standard library only) --------------------------------------------------------------


class Connection:
    """A keep-alive HTTP/1.1 connection that reopens when the server closes it."""

    def __init__(self, host: str, port: int, cookies: dict[str, str]):
        self.host, self.port, self.cookies = host, port, cookies
        self.reader = self.writer = None
        self.lock = asyncio.Lock()

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def _send(self, method: str, path: str, body: bytes, headers: dict) -> None:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body:
            lines += ["Content-Type: application/x-www-form-urlencoded"]
        lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()

    async def head(self, method: str, path: str, body: bytes = b"", headers=None):
        """Send a request and read the status line and headers."""
        for attempt in (1, 2):
            try:
                if self.writer is None:
                    await self._open()
                await self._send(method, path, body, headers or {})
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionError("closed")
                break
            except (ConnectionError, OSError):
                self.close()
                if attempt == 2:
                    raise
        status = int(status_line.split()[1])
        found: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie, _, _ = value.partition(";")
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val.strip()
            else:
                found[name] = value
        return status, found

    async def body(self, status: int, headers: dict) -> bytes:
        if status in (204, 304):
            content = b""
        elif headers.get("transfer-encoding") == "chunked":
            content = b""
            while size := int((await self.reader.readline()).strip(), 16):
                content += await self.reader.readexactly(size + 2)
                content = content[:-2]
            await self.reader.readline()
        elif "content-length" in headers:
            content = await self.reader.readexactly(int(headers["content-length"]))
        else:
            content = await self.reader.read()
            self.close()
            return content
        if headers.get("connection", "").lower() == "close":
            self.close()
        return content

    async def request(self, method: str, path: str, body: bytes = b"", headers=None):
        async with self.lock:
            status, found = await self.head(method, path, body, headers)
            return status, found, await self.body(status, found)

    async def events(self, path: str):
        """Server-sent events' data lines, as they come."""
        status, headers = await self.head("GET", path, headers={"Accept": "text/event-stream"})
        if status != 200:
            raise ConnectionError(f"stream answered {status}")
        buffer = b""
        while True:
            size = int((await self.reader.readline()).strip(), 16)
            if size == 0:
                self.close()
                return
            buffer += (await self.reader.readexactly(size + 2))[:-2]
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                for line in event.split(b"\n"):
                    if line.startswith(b"data:") and line[5:].strip():
                        yield json.loads(line[5:])


class Screen:
    """One browser tab showing a fragment that follows the review (presenter or phone)."""

    def __init__(self, base, session: str, fragment: str, stream: str, spread: float, stats):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.fetcher = Connection(self.host, self.port, {"sessionid": session})
        # Forms post on a connection of their own, as a browser would open one.
        self.poster = Connection(self.host, self.port, self.fetcher.cookies)
        self.fragment, self.stream, self.spread, self.stats = fragment, stream, spread, stats
        self.etag = None
        self.version = -1
        self.in_flight = self.again = False
        self.timer = None
        self.last_fetch = self.last_answer = 0.0
        self.on_answer = None

    async def fetch(self) -> None:
        if self.in_flight:
            self.again = True
            return
        self.in_flight = True
        try:
            while True:
                self.again = False
                self.last_fetch = time.monotonic()
                headers = {"If-None-Match": self.etag} if self.etag else {}
                status, found, _ = await self.fetcher.request("GET", self.fragment, headers=headers)
                self.stats["fetches"][status] = self.stats["fetches"].get(status, 0) + 1
                self.etag = found.get("etag", self.etag)
                self.last_answer = time.monotonic()
                if self.on_answer:
                    self.on_answer(self.etag)
                if not self.again:
                    return
        finally:
            self.in_flight = False

    async def poll(self, interval: float, stop: float) -> None:
        await asyncio.sleep(random.uniform(0, interval))
        while time.monotonic() < stop:
            await self.fetch()
            await asyncio.sleep(interval)

    def changed(self) -> None:
        if not self.spread:
            asyncio.ensure_future(self.fetch())
            return
        if self.timer is not None:
            return
        now = time.monotonic()
        delay = max(random.uniform(0, self.spread), self.last_answer + self.spread - now)
        self.timer = asyncio.get_running_loop().call_later(delay, self._fire)

    def _fire(self) -> None:
        self.timer = None
        asyncio.ensure_future(self.fetch())

    async def safety(self, stop: float) -> None:
        """The page's 2-s poll timer, which lets a poll through only after 30 s without one."""
        self.last_fetch = time.monotonic()
        await asyncio.sleep(random.uniform(0, PHASE_SECONDS))
        while time.monotonic() < stop:
            if time.monotonic() - self.last_fetch >= SAFETY_POLL_SECONDS:
                await self.fetch()
            await asyncio.sleep(PHASE_SECONDS)

    async def follow(self, stop: float) -> None:
        safety = asyncio.ensure_future(self.safety(stop))
        try:
            while time.monotonic() < stop:
                stream = Connection(self.host, self.port, dict(self.fetcher.cookies))
                try:
                    async for data in stream.events(self.stream):
                        if data["version"] != self.version:
                            first = self.version < 0
                            self.version = data["version"]
                            if not first:
                                self.changed()
                        if time.monotonic() >= stop:
                            break
                finally:
                    stream.close()
        finally:
            safety.cancel()


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


async def run_load(args) -> dict:
    import psycopg2

    with open(args.plan) as plan_file:
        plan = json.load(plan_file)
    review = plan["reviews"][args.mode]
    pk, code = review["pk"], review["code"]
    database = psycopg2.connect(args.database)
    database.autocommit = True
    cursor = database.cursor()

    def version_now() -> int:
        cursor.execute("SELECT version FROM retrospectives_review WHERE id = %s", [pk])
        return cursor.fetchone()[0]

    stats = {"fetches": {}}
    push = args.mode == "push"
    presenter = Screen(
        args.base,
        plan["presenter"],
        f"/reviews/{pk}/present/board/",
        f"/reviews/{pk}/live/",
        0,
        stats,
    )
    phones = [
        Screen(
            args.base,
            session,
            f"/join/{code}/board/",
            f"/join/{code}/live/",
            PHASE_SECONDS,
            stats,
        )
        for session in plan["phones"]
    ]
    # Each phone opens its page once (the CSRF token of its forms, the notes it can vote on).
    tokens, note_ids = {}, set()
    for phone in phones:
        status, _, page = await phone.poster.request("GET", f"/join/{code}/")
        assert status == 200, f"join page answered {status}"
        tokens[phone] = CSRF_INPUT.search(page).group(1).decode()
        note_ids.update(int(n) for n in NOTE_ID.findall(page))
    note_ids = sorted(note_ids)

    arrivals: list[tuple[int, float]] = []  # (version, when) of each newer presenter answer

    def presenter_answer(etag: str | None) -> None:
        match = ETAG_VERSION.match(etag or "")
        if match and (not arrivals or int(match[1]) > arrivals[-1][0]):
            arrivals.append((int(match[1]), time.monotonic()))

    presenter.on_answer = presenter_answer
    changes: list[tuple[str, float, int]] = []  # (kind, sent at, version it made)
    votes: dict[Screen, set[int]] = {phone: set() for phone in phones}
    refused = 0

    async def post_note(n: int) -> None:
        phone = random.choice(phones)
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": tokens[phone],
                "text": f"Bench note {n}: the escalation path was unclear to the client.",
                "phase": "5",
                "anonymous": "on",
            }
        ).encode()
        sent = time.monotonic()
        status, _, _ = await phone.poster.request(
            "POST", f"/join/{code}/notes/", body, {"HX-Request": "true"}
        )
        changes.append(("note", sent, version_now()))
        if status != 200:
            stats.setdefault("post_errors", []).append(status)

    async def post_vote() -> None:
        nonlocal refused
        phone = random.choice(phones)
        mine = votes[phone]
        note = random.choice(sorted(mine)) if len(mine) >= 3 else random.choice(note_ids)
        withdraw = note in mine
        fields = {"csrfmiddlewaretoken": tokens[phone]}
        if withdraw:
            fields["withdraw"] = "1"
        sent = time.monotonic()
        status, _, _ = await phone.poster.request(
            "POST",
            f"/join/{code}/notes/{note}/vote/",
            urllib.parse.urlencode(fields).encode(),
            {"HX-Request": "true"},
        )
        if status == 200:
            (mine.discard if withdraw else mine.add)(note)
            changes.append(("vote", sent, version_now()))
        else:
            refused += 1

    async def writer(kind: str, per_minute: float, stop: float) -> None:
        n = 0
        interval = 60 / per_minute
        next_at = time.monotonic() + random.uniform(0, interval)
        while next_at < stop:
            await asyncio.sleep(max(0, next_at - time.monotonic()))
            n += 1
            await (post_note(n) if kind == "note" else post_vote())
            next_at += interval

    screens = [presenter, *phones]
    warm = time.monotonic() + args.warmup
    stop = warm + args.seconds
    if push:
        tasks = [asyncio.ensure_future(s.follow(stop + 1)) for s in screens]
    else:
        tasks = [asyncio.ensure_future(s.poll(PHASE_SECONDS, stop + 1)) for s in screens]
    await asyncio.sleep(args.warmup)
    started_cpu = cpu_seconds(args.server_pid)
    fetches_before = dict(stats["fetches"])
    writers = [
        asyncio.ensure_future(writer("note", args.notes_per_minute, stop)),
        asyncio.ensure_future(writer("vote", args.votes_per_minute, stop)),
    ]
    await asyncio.gather(*writers)
    await asyncio.sleep(max(0, stop - time.monotonic()))
    cpu = cpu_seconds(args.server_pid) - started_cpu
    fetches = {
        str(code): n - fetches_before.get(code, 0) for code, n in sorted(stats["fetches"].items())
    }
    await asyncio.sleep(1.5)  # the last changes' arrival
    for task in tasks:
        task.cancel()
    latencies, missed = [], 0
    for _, sent, version in changes:
        arrived = next((when for v, when in arrivals if v >= version), None)
        if arrived is None:
            missed += 1
        else:
            latencies.append((arrived - sent) * 1000)
    return {
        "mode": args.mode,
        "phones": len(phones),
        "seconds": args.seconds,
        "changes": len(changes),
        "refused_votes": refused,
        "post_errors": stats.get("post_errors", []),
        "not_arrived": missed,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "max_ms": round(max(latencies, default=0), 1),
        "server_cpu_seconds_per_minute": round(cpu * 60 / args.seconds, 2),
        "fetches": fetches,
        "fetches_per_second": round(sum(fetches.values()) / args.seconds, 1),
    }


def cpu_seconds(root: int) -> float:
    """User and system CPU of a process and all its descendants, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents, used = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        used[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks
    total, family = 0.0, {root}
    for pid in sorted(parents):
        ancestor = pid
        while ancestor not in family and ancestor in parents and ancestor > 1:
            ancestor = parents[ancestor]
        if ancestor in family:
            family.add(pid)
            total += used.get(pid, 0)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("setup")
    make.add_argument("--phones", type=int, default=100)
    load = sub.add_parser("load")
    load.add_argument("--base", required=True)
    load.add_argument("--plan", required=True)
    load.add_argument("--database", required=True)
    load.add_argument("--mode", choices=["poll", "push"], required=True)
    load.add_argument("--server-pid", type=int, required=True)
    load.add_argument("--seconds", type=float, default=60)
    load.add_argument("--warmup", type=float, default=5)
    load.add_argument("--notes-per-minute", type=float, default=30)
    load.add_argument("--votes-per-minute", type=float, default=30)
    args = parser.parse_args()
    if args.command == "setup":
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnorg.settings")
        print(json.dumps(setup(args.phones)))
    else:
        print(json.dumps(asyncio.run(run_load(args))))


if __name__ == "__main__":
    main()
