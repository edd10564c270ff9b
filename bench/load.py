"""The load generator of `make bench`: logs in through the real login form, then requests each
page from several threads for a fixed time and prints one JSON object of latencies.

Standard library only, so that it measures the server, not a client framework:
    python bench/load.py --base http://127.0.0.1:PORT --plan plan.json
The plan lists pages: {"name", "path", "user" (a key of "users", or null for anonymous),
"etag" (send If-None-Match like a polling browser)}.

With --rounds N, each page's time is split into N turns taken in rotation (healthz, dashboard, …,
healthz, dashboard, …), so a slow spell of a shared machine falls on every page alike rather than
on whichever page was being measured: the p95 ratios to /healthz/ compare like with like.
"""

import argparse
import http.client
import json
import re
import statistics
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    """One logged-in browser: a keep-alive connection and its cookies."""

    def __init__(self, base: str):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, ConnectionError):
            # gunicorn's sync workers close the connection; open a new one and retry once.
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response, content

    def log_in(self, username: str, password: str) -> None:
        _, page = self.request("GET", "/accounts/login/")
        token = CSRF_INPUT.search(page.decode()).group(1)
        body = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        response, _ = self.request("POST", "/accounts/login/", body=body)
        if response.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"Could not log in as {username} (HTTP {response.status}).")


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def load(
    page: dict,
    sessions: list[Session | None],
    seconds: float,
    latencies: list[float],
    statuses: dict[int, int],
) -> None:
    """Request one page from every session in parallel until the time is up, adding to
    `latencies` (ms) and `statuses`."""
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(session: Session) -> None:
        etag = None
        mine, codes = [], {}
        while time.monotonic() < deadline:
            headers = {"If-None-Match": etag} if etag and page.get("etag") else {}
            started = time.perf_counter()
            response, _ = session.request("GET", page["path"], headers=headers)
            mine.append((time.perf_counter() - started) * 1000)
            codes[response.status] = codes.get(response.status, 0) + 1
            etag = response.getheader("ETag") or etag
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    threads = [threading.Thread(target=worker, args=(session,)) for session in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def summary(latencies: list[float], statuses: dict[int, int], seconds: float) -> dict:
    errors = sum(n for code, n in statuses.items() if code not in (200, 304))
    return {
        "requests": len(latencies),
        "errors": errors,
        "statuses": {str(code): n for code, n in sorted(statuses.items())},
        "p50_ms": round(percentile(latencies, 50), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
        "rps": round(len(latencies) / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True)
    parser.add_argument("--plan", required=True, help="JSON file: users and pages")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1, help="turns per page, in rotation")
    args = parser.parse_args()
    with open(args.plan) as plan_file:
        plan = json.load(plan_file)

    sessions: dict[str | None, list] = {None: []}
    for key, (username, password) in plan["users"].items():
        sessions[key] = []
        for _ in range(args.concurrency):
            session = Session(args.base)
            session.log_in(username, password)
            sessions[key].append(session)
    sessions[None] = [Session(args.base) for _ in range(args.concurrency)]

    first_ms, latencies, statuses = {}, {}, {}
    for page in plan["pages"]:
        group = sessions[page.get("user")]
        # One request per session before timing: a page's first view may fill a cache (the
        # dashboard computes its snapshot). The very first one is reported on its own.
        started = time.perf_counter()
        group[0].request("GET", page["path"])
        first_ms[page["name"]] = round((time.perf_counter() - started) * 1000, 1)
        for session in group[1:]:
            session.request("GET", page["path"])
        latencies[page["name"]], statuses[page["name"]] = [], {}
    for _ in range(args.rounds):
        for page in plan["pages"]:
            name = page["name"]
            load(
                page,
                sessions[page.get("user")],
                args.seconds / args.rounds,
                latencies[name],
                statuses[name],
            )
    results = {
        page["name"]: {
            "path": page["path"],
            "first_ms": first_ms[page["name"]],
            **summary(latencies[page["name"]], statuses[page["name"]], args.seconds),
        }
        for page in plan["pages"]
    }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
