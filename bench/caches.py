"""What each kept thing of accounts.caching saves, measured in-process on the bench data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/learnorg_bench python bench/caches.py [kind ...]

Run it after `make bench` (or `manage.py seed_bench` and `VACUUM ANALYZE`) and
`manage.py collectstatic`. It logs in as the bench partner and account manager with Django's test
client (DEBUG off) and requests each page that uses a kind of kept thing, alternating requests
with the kind kept and switched off (`accounts.caching.switched_off`), so a slow spell of the
machine falls on both alike; it prints p50 and p95 of each and the median saving. The blame
nudges' index of names ("names") is timed on one check instead of a page. BENCH_REQUESTS sets
the number of requests of each state (default 30).
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnorg.settings")
os.environ.update(
    DJANGO_DEBUG="0",
    DJANGO_SECURE_SSL_REDIRECT="0",
    DJANGO_ALLOWED_HOSTS="testserver",
    LOG_LEVEL="WARNING",
)
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789ab")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from accounts import caching  # noqa: E402
from accounts.models import Office, User  # noqa: E402
from feedback import blame  # noqa: E402
from feedback.models import ServiceLine  # noqa: E402

NOTE = "Pat forgot to send the engagement letter, and Hartford never called the client back."


def pages() -> dict[str, tuple[str, str]]:
    tax = ServiceLine.objects.get(name="Tax").pk
    boston = Office.objects.get(name="Boston").pk
    return {
        "home (partner)": ("/", "partner"),
        "dashboard": ("/dashboard/", "partner"),
        "dashboard, filtered": (
            f"/dashboard/?period=quarter&service_line={tax}&office={boston}",
            "partner",
        ),
        "/clients/ (partner)": ("/clients/", "partner"),
        "/clients/ (account manager)": ("/clients/", "am"),
        "/actions/ (partner)": ("/actions/", "partner"),
        "/actions/mine/ (account manager)": ("/actions/mine/", "am"),
    }


KINDS = {
    "row": ["/clients/ (partner)", "/clients/ (account manager)", "/actions/ (partner)"]
    + ["/actions/mine/ (account manager)"],
    "menu": ["/clients/ (partner)", "/actions/ (partner)"],
    "panels": ["dashboard", "dashboard, filtered"],
    "goals": ["home (partner)", "dashboard"],
    "names": [],
}


def p95(values: list[float]) -> float:
    return sorted(values)[round(0.95 * (len(values) - 1))]


def alternate(kind: str, n: int, request) -> tuple[list[float], list[float]]:
    """`n` timings of `request()` with `kind` kept and `n` with it switched off, in turns."""
    kept, off = [], []
    for i in range(2 * n):
        switched = (i % 4) in (1, 2)  # on, off, off, on, ...: neither always goes first
        caching.switched_off.clear()
        if switched:
            caching.switched_off.add(kind)
        started = time.perf_counter()
        request()
        (off if switched else kept).append((time.perf_counter() - started) * 1000)
    caching.switched_off.clear()
    return kept, off


def report(kind: str, what: str, kept: list[float], off: list[float]) -> None:
    print(
        f"{kind:7} {what:34} kept p50 {statistics.median(kept):6.1f} p95 {p95(kept):6.1f} ms"
        f" | off p50 {statistics.median(off):6.1f} p95 {p95(off):6.1f} ms"
        f" | saves {statistics.median(off) - statistics.median(kept):5.1f} ms",
        flush=True,
    )


def main() -> None:
    n = int(os.environ.get("BENCH_REQUESTS", "30"))
    kinds = sys.argv[1:] or list(KINDS)
    clients = {}
    for who, username in (("partner", "bench-partner"), ("am", "bench-am")):
        clients[who] = Client()
        clients[who].force_login(User.objects.get(username=username))
    urls = pages()
    for path, who in urls.values():  # compute the snapshots, warm every kept thing
        for _ in range(3):
            assert clients[who].get(path).status_code == 200, path
    for kind in kinds:
        for page in KINDS[kind]:
            path, who = urls[page]

            def get(path=path, who=who):
                assert clients[who].get(path).status_code == 200, path

            report(kind, page, *alternate(kind, n, get))
        if kind == "names":
            report(kind, "one blame check", *alternate(kind, n, lambda: blame.detect(NOTE)))


if __name__ == "__main__":
    main()
