"""`make bench`: the app at 100,000 interviews on PostgreSQL, served by gunicorn, measured from
a second process. Ends with one JSON line of every figure.

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/learnorg_bench), CACHE_URL
(default redis://127.0.0.1:6379/2 when Redis answers there, as in production; else memory),
BENCH_INTERVIEWS (100000), BENCH_SECONDS (15 per page), BENCH_ROUNDS (3: each page's seconds
are split into turns taken in rotation), BENCH_CONCURRENCY (4), BENCH_WORKERS (4 gunicorn workers).

Then the live review (bench/live.py): BENCH_LIVE_PHONES (100) phones and a presenter on one
review for BENCH_LIVE_SECONDS (60), BENCH_LIVE_NOTES and BENCH_LIVE_VOTES (10 each) a minute;
polling served by gunicorn as before, push by uvicorn, each with BENCH_WORKERS workers.
`python bench/run.py live` (`make bench-live`) runs only the live review, on an empty database.
`python bench/run.py search` (`make bench-search`) measures only the interview list and its
searches (the data set is seeded as for the full run).
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/learnorg_bench"
BENCH_PASSWORD = os.environ.get("BENCH_PASSWORD", "learnorg-bench")
# Dashboard: p95 at most 5 × /healthz/ and 100 ms; lists at most 50 ms; searches 100 ms.
TARGETS = {
    "dashboard": (5, 100),
    "dashboard_filtered": (5, 100),
    "clients": (None, 50),
    "actions": (None, 50),
    "interview_search": (None, 100),
    "interview_search_ranked": (None, 100),
    "interview_search_am": (None, 100),
    "client_search": (None, 100),
    "client_search_am": (None, 100),
}
# What the searches look for: a complaint in about one interview in five (too many to rank, so
# newest first), a phrase left out of another complaint in one office (ranked), and part of a
# client's name (ten clients of the 100,000).
INTERVIEW_WORD = "portal"
INTERVIEW_PHRASE = '"state nexus" -portal'
CLIENT_NAME = "client 04217"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def ensure_database(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    connection = psycopg2.connect(server)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            log(f"creating database {name}")
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def vacuum(url: str) -> None:
    """A bulk-loaded table has no visibility map until it is vacuumed, so counts scan the heap;
    autovacuum would get there eventually, the benchmark should not wait for it."""
    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    connection.close()


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


def free_port() -> int:
    """A free loopback port chosen by the kernel (never 8000, which is reserved)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port != 8000:
            return port


def default_cache_url() -> str:
    """Production shares its cache in Redis (docker-compose.yml); so does the benchmark when a
    Redis server answers on the usual port."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return "redis://127.0.0.1:6379/2"
    except OSError:
        log("no Redis on 127.0.0.1:6379: the cache is each worker's memory")
        return ""


def wait_until_up(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz/ in time.")


def ids(env: dict) -> dict:
    """Ids the filtered dashboard and the presenter poll need, read from the bench data."""
    code = (
        "import json;"
        "from feedback.models import ServiceLine;"
        "from accounts.models import Office;"
        "from retrospectives.models import Review;"
        "print(json.dumps({"
        "'service_line': ServiceLine.objects.get(name='Tax').pk,"
        "'office': Office.objects.get(name='Boston').pk,"
        "'live_review': Review.objects.filter(status='live').order_by('pk')"
        ".values_list('pk', flat=True).first()}))"
    )
    return json.loads(manage(env, "shell", "-c", code, capture=True).strip().splitlines()[-1])


def refresh_dashboard(env: dict, queries: list[str]) -> None:
    """Recompute the dashboard views the load asks for. In production the beat task and the
    worker keep them fresh; this benchmark runs neither, and a stale view would be measured
    queueing refreshes that never run."""
    code = (
        "from django.http import QueryDict;"
        "from dashboard.forms import FilterForm;"
        "from dashboard.services import refresh_snapshot;"
        f"queries = {queries!r};"
        "forms = [FilterForm(QueryDict(q) or None) for q in queries];"
        "[form.is_valid() for form in forms if form.is_bound];"
        "[refresh_snapshot(filters=form.filters()) for form in forms]"
    )
    manage(env, "shell", "-c", code)


def start_server(kind: str, env: dict, workers: str, port: int) -> subprocess.Popen:
    """gunicorn (WSGI, as the pages have always been measured) or uvicorn (ASGI, for push)."""
    bin_dir = Path(PYTHON).parent
    if kind == "gunicorn":
        # gunicorn's sync workers reuse a connection from one request to the next, as they were
        # deployed before push; under ASGI every request has a thread, and so a connection, of
        # its own.
        env = {"DATABASE_CONN_MAX_AGE": "60", **env}
        command = [str(bin_dir / "gunicorn"), "learnorg.wsgi:application"]
        command += ["--workers", workers, "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    else:
        command = [str(bin_dir / "uvicorn"), "learnorg.asgi:application", "--lifespan", "off"]
        command += ["--no-proxy-headers"]
        command += ["--workers", workers, "--host", "127.0.0.1", "--port", str(port)]
        command += ["--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def live_review(env: dict, url: str, workers: str) -> dict:
    """100 phones and a presenter on one review: today's polling, then push."""
    phones = os.environ.get("BENCH_LIVE_PHONES", "100")
    seconds = os.environ.get("BENCH_LIVE_SECONDS", "60")
    log(f"live review: {phones} phones, setting up")
    live = str(ROOT / "bench" / "live.py")
    plan = (
        subprocess.run(
            [PYTHON, live, "setup", "--phones", phones],
            cwd=ROOT,
            env=env,
            check=True,
            text=True,
            stdout=subprocess.PIPE,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as plan_file:
        plan_file.write(plan)
    results = {}
    for mode, kind in (("poll", "gunicorn"), ("push", "uvicorn")):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log(f"live review, {mode}: {kind}, {workers} workers, {seconds} s")
        server = start_server(kind, env, workers, port)
        try:
            wait_until_up(base)
            output = subprocess.run(
                [
                    PYTHON,
                    live,
                    "load",
                    "--base",
                    base,
                    "--plan",
                    plan_file.name,
                    "--database",
                    url,
                    "--mode",
                    mode,
                    "--server-pid",
                    str(server.pid),
                    "--seconds",
                    seconds,
                    "--notes-per-minute",
                    os.environ.get("BENCH_LIVE_NOTES", "10"),
                    "--votes-per-minute",
                    os.environ.get("BENCH_LIVE_VOTES", "10"),
                ],
                check=True,
                text=True,
                stdout=subprocess.PIPE,
            ).stdout
            results[mode] = {"server": kind, **json.loads(output.strip().splitlines()[-1])}
        finally:
            server.terminate()
            server.wait(timeout=30)
    os.unlink(plan_file.name)
    print(
        f"\nlive review, {phones} phones  {'changes':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'CPU s/min':>9} {'fetch/s':>7}  target"
    )
    for mode, figures in results.items():
        target = ""
        if mode == "push":
            met = (
                figures["p95_ms"] < 250
                and figures["server_cpu_seconds_per_minute"]
                < results["poll"]["server_cpu_seconds_per_minute"]
            )
            figures["target_met"] = met
            target = "p95 < 250 ms, less CPU than polling " + ("ok" if met else "MISSED")
        print(
            f"{mode + ' (' + figures['server'] + ')':26} {figures['changes']:>7} "
            f"{figures['p50_ms']:>7} {figures['p95_ms']:>7} "
            f"{figures['server_cpu_seconds_per_minute']:>9} {figures['fetches_per_second']:>7}  "
            f"{target}"
        )
    return results


def bench_env(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "CACHE_URL": os.environ.get("CACHE_URL") or default_cache_url(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        # Production settings on a benchmark database of its own: the bench commands may run.
        "LEARNORG_ALLOW_BENCH": "1",
    }


def live_only() -> None:
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    workers = os.environ.get("BENCH_WORKERS", "4")
    env = bench_env(url)
    ensure_database(url)
    log("migrating")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    print(json.dumps({"live_review": live_review(env, url, workers)}))


def has_command(env: dict, name: str) -> bool:
    return name in manage(env, "help", "--commands", capture=True).split()


def prepare(env: dict, url: str, interviews: str) -> tuple[dict, dict]:
    """Migrate, seed the data set unless it is there, collect static files; the seed's figures
    and the ids the pages need."""
    ensure_database(url)
    log("migrating")
    manage(env, "migrate", "--noinput", "-v0")
    log(f"seeding {interviews} interviews if needed")
    started = time.monotonic()
    seeded = "already there" not in manage(
        env, "seed_bench", "--interviews", interviews, capture=True
    )
    seed_seconds = round(time.monotonic() - started, 1)
    log(f"seed_bench {'built the data' if seeded else 'found the data'} in {seed_seconds} s")
    if seeded:
        log("vacuuming")
        vacuum(url)
    manage(env, "collectstatic", "--noinput", "-v0")
    return {"seconds": seed_seconds, "built": seeded}, ids(env)


def bench_pages(known: dict) -> tuple[list[dict], str]:
    """Every page measured, and the filtered dashboard's query string."""
    filtered_query = f"period=quarter&service_line={known['service_line']}&office={known['office']}"
    filtered = f"/dashboard/?{filtered_query}"
    word_search = "/interviews/?" + urllib.parse.urlencode({"q": INTERVIEW_WORD})
    phrase_search = "/interviews/?" + urllib.parse.urlencode(
        {"q": INTERVIEW_PHRASE, "office": known["office"]}
    )
    client_search = "/clients/?" + urllib.parse.urlencode({"q": CLIENT_NAME})
    pages = [
        {"name": "healthz", "path": "/healthz/", "user": None},
        {"name": "dashboard", "path": "/dashboard/", "user": "partner"},
        {"name": "dashboard_filtered", "path": filtered, "user": "partner"},
        {"name": "dashboard_personal", "path": "/dashboard/", "user": "am"},
        {"name": "clients", "path": "/clients/", "user": "partner"},
        {"name": "clients_am", "path": "/clients/", "user": "am"},
        {"name": "actions", "path": "/actions/", "user": "partner"},
        {"name": "interviews", "path": "/interviews/", "user": "partner"},
        {"name": "interview_search", "path": word_search, "user": "partner"},
        {"name": "interview_search_ranked", "path": phrase_search, "user": "partner"},
        {"name": "interview_search_am", "path": word_search, "user": "am"},
        {"name": "client_search", "path": client_search, "user": "partner"},
        {"name": "client_search_am", "path": client_search, "user": "am"},
        {"name": "actions_mine", "path": "/actions/mine/", "user": "am"},
    ]
    if known["live_review"]:
        pages.append(
            {
                "name": "presenter_poll",
                "path": f"/reviews/{known['live_review']}/present/board/",
                "user": "partner",
                "etag": True,
            }
        )
    return pages, filtered_query


def load_pages(env: dict, pages: list[dict], settings: dict) -> dict:
    """Serve the app with gunicorn and measure `pages` from bench/load.py; p50/p95 per page."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log(f"gunicorn, {settings['workers']} workers, on {base}")
    server = start_server("gunicorn", env, settings["workers"], port)
    try:
        wait_until_up(base)
        plan = {
            "users": {
                "partner": ["bench-partner", BENCH_PASSWORD],
                "am": ["bench-am", BENCH_PASSWORD],
            },
            "pages": pages,
        }
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as plan_file:
            json.dump(plan, plan_file)
        log(
            f"loading {len(pages)} pages, {settings['seconds']} s each in {settings['rounds']} "
            f"turns at concurrency {settings['concurrency']}"
        )
        output = subprocess.run(
            [
                PYTHON,
                str(ROOT / "bench" / "load.py"),
                "--base",
                base,
                "--plan",
                plan_file.name,
                "--seconds",
                settings["seconds"],
                "--concurrency",
                settings["concurrency"],
                "--rounds",
                settings["rounds"],
            ],
            check=True,
            text=True,
            stdout=subprocess.PIPE,
        ).stdout
        os.unlink(plan_file.name)
        results = json.loads(output.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=30)

    healthz_p95 = results["healthz"]["p95_ms"] or 1
    print(f"\n{'page':22} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'×healthz':>9}  target")
    for name, page in results.items():
        page["p95_over_healthz"] = round(page["p95_ms"] / healthz_p95, 2)
        ratio_target, ms_target = TARGETS.get(name, (None, None))
        met = None
        if ms_target is not None:
            met = page["p95_ms"] <= ms_target and (
                ratio_target is None or page["p95_over_healthz"] <= ratio_target
            )
            page["target_met"] = met
        target = ""
        if ms_target is not None:
            target = f"≤ {ms_target} ms" + (f", ≤ {ratio_target}×" if ratio_target else "")
            target += " ok" if met else " MISSED"
        print(
            f"{name:22} {page['requests']:>8} {page['p50_ms']:>8} {page['p95_ms']:>8} "
            f"{page['p95_over_healthz']:>9}  {target}"
        )
        if page["errors"]:
            print(f"  {page['errors']} errors: {page['statuses']}")
    return results


def load_settings() -> dict:
    return {
        "seconds": os.environ.get("BENCH_SECONDS", "15"),
        "rounds": os.environ.get("BENCH_ROUNDS", "3"),
        "concurrency": os.environ.get("BENCH_CONCURRENCY", "4"),
        "workers": os.environ.get("BENCH_WORKERS", "4"),
    }


# The pages `bench/run.py search` measures: the interview list and its searches, with /healthz/
# for the ratio.
SEARCH_PAGES = {
    "healthz",
    "interviews",
    "interview_search",
    "interview_search_ranked",
    "interview_search_am",
}


def search_only() -> None:
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    env = bench_env(url)
    _, known = prepare(env, url, os.environ.get("BENCH_INTERVIEWS", "100000"))
    pages, _ = bench_pages(known)
    results = load_pages(env, [p for p in pages if p["name"] in SEARCH_PAGES], load_settings())
    print(json.dumps({"pages": results}))


def main() -> None:
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    interviews = os.environ.get("BENCH_INTERVIEWS", "100000")
    settings = load_settings()
    env = bench_env(url)
    seed, known = prepare(env, url, interviews)
    pages, filtered_query = bench_pages(known)
    log("refreshing the dashboard views")
    refresh_dashboard(env, ["", filtered_query])
    results = load_pages(env, pages, settings)

    reminders = None
    if has_command(env, "bench_reminders"):
        log("bench_reminders")
        lines = manage(env, "bench_reminders", capture=True).strip().splitlines()
        print("\n".join(lines[:-1]))
        reminders = json.loads(lines[-1])
    else:
        log("bench_reminders does not exist yet; skipped")

    log("bench_blame")
    lines = manage(env, "bench_blame", capture=True).strip().splitlines()
    print("\n".join(lines[:-1]))
    blame = json.loads(lines[-1])

    live = live_review(env, url, settings["workers"])

    figures = {
        "interviews": int(interviews),
        "seed": seed,
        "gunicorn_workers": int(settings["workers"]),
        "concurrency": int(settings["concurrency"]),
        "seconds_per_page": float(settings["seconds"]),
        "rounds": int(settings["rounds"]),
        "pages": results,
        "reminders": reminders,
        "blame": blame,
        "live_review": live,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    modes = {"live": live_only, "search": search_only}
    modes[sys.argv[1]]() if sys.argv[1:] else main()
