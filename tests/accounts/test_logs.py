"""Structured logs: one JSON object per line, every line of a request (and of the Celery tasks it
queues) carrying the request's id, and nothing in a request's line that leads to a person."""

import asyncio
import io
import json
import logging
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts.logs import JsonFormatter, RequestIdFilter, RequestIdMiddleware
from learnorg.celery import app
from tests.factories import FeedbackRequestFactory
from tests.project.test_deploy import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
probe_log = logging.getLogger("tests.log_probe")


@app.task(name="tests.log_probe")
def log_probe(word: str) -> None:
    probe_log.info("probe says %s", word)


def _capture_json(logger: logging.Logger):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
    previous_level = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(previous_level)


@pytest.fixture
def json_lines():
    """The JSON lines the root logger writes while the test runs, parsed."""
    yield from _capture_json(logging.getLogger())


@pytest.fixture
def probe_lines():
    """The probe task's JSON lines: a worker starting up configures the root logger afresh."""
    yield from _capture_json(probe_log)


def _request_lines(lines):
    return [line for line in lines if line["logger"] == "learnorg.requests"]


@pytest.mark.django_db
def test_a_response_carries_a_new_request_id(client):
    first = client.get("/healthz/")["X-Request-ID"]
    second = client.get("/healthz/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept(client):
    response = client.get("/healthz/", headers={"X-Request-ID": "lb-7f3a.42:Root=1-abc"})
    assert response["X-Request-ID"] == "lb-7f3a.42:Root=1-abc"


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["", "x" * 129, "a b", "a\tb", '{"json": 1}', "<script>"])
def test_an_insane_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/healthz/", headers={"X-Request-ID": incoming})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_each_request_logs_one_json_line_with_method_path_status_and_duration(client, json_lines):
    response = client.get("/healthz/", headers={"X-Request-ID": "req-1"})
    [line] = _request_lines(json_lines())
    assert line["request_id"] == "req-1" == response["X-Request-ID"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz/", 200)
    assert line["level"] == "INFO" and line["duration_ms"] >= 0
    assert line["time"].endswith("+00:00")


@pytest.mark.django_db
def test_every_line_logged_during_a_request_carries_its_id(client, json_lines, monkeypatch):
    def noisy(request):
        probe_log.warning("inside the view\nwith a second line")
        return HttpResponse("ok")

    request = RequestFactory().get("/anything/", headers={"X-Request-ID": "req-2"})
    RequestIdMiddleware(noisy)(request)
    probe_log.info("after the request")

    inside, request_line, after = json_lines()
    assert inside["message"] == "inside the view\nwith a second line"
    assert inside["request_id"] == request_line["request_id"] == "req-2"
    assert after["request_id"] is None


@pytest.mark.django_db
def test_a_token_in_a_path_is_masked(client, json_lines):
    link = FeedbackRequestFactory()
    client.get(reverse("feedback:public_form", args=[link.token]))
    client.get(f"/f/{link.token}/", headers={"Host": "evil.example"})  # refused before routing
    lines = _request_lines(json_lines())
    assert [line["path"] for line in lines] == ["/f/<token>/", "/f/<token>/"]
    assert link.token not in json.dumps(json_lines())


@pytest.mark.django_db
def test_the_lines_of_an_anonymous_suggestion_lead_to_nobody(client, sam, json_lines):
    client.force_login(sam)
    new = reverse("feedback:suggestion_new")
    response = client.post(new, {"text": "Shorter forms", "anonymous": "1", "next": "/"})
    assert response.status_code == 200
    lines = [line for line in json_lines() if line["request_id"] == response["X-Request-ID"]]
    [request_line] = _request_lines(lines)
    assert set(request_line) == {
        *("time", "level", "logger", "message", "request_id"),
        *("method", "path", "status", "duration_ms"),
    }
    written = json.dumps(lines)
    for clue in ("sam", "Sam Rivera", "127.0.0.1", client.cookies["sessionid"].value):
        assert clue not in written


def test_an_exception_is_one_line_with_its_traceback(json_lines):
    try:
        raise ValueError("the detail")
    except ValueError:
        probe_log.exception("it failed")
    [line] = json_lines()
    assert line["level"] == "ERROR" and line["message"] == "it failed"
    assert "ValueError: the detail" in line["exception"]


def test_a_task_run_inline_keeps_the_request_id(json_lines):
    def queues(request):
        log_probe.delay("inline")
        return HttpResponse("ok")

    RequestIdMiddleware(queues)(RequestFactory().get("/", headers={"X-Request-ID": "req-3"}))
    [probe] = [line for line in json_lines() if line["logger"] == "tests.log_probe"]
    assert probe["message"] == "probe says inline"
    assert probe["request_id"] == "req-3"
    assert probe["task"].startswith("tests.log_probe[")


@pytest.mark.django_db(transaction=True)
def test_a_worker_logs_a_task_with_the_id_of_the_request_that_queued_it(probe_lines):
    def queues(request):
        log_probe.delay("from the worker")
        return HttpResponse("ok")

    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        RequestIdMiddleware(queues)(RequestFactory().get("/", headers={"X-Request-ID": "req-4"}))
        for _ in range(200):
            if probes := probe_lines():
                break
            time.sleep(0.05)
    [probe] = probes
    assert probe["message"] == "probe says from the worker"
    assert probe["request_id"] == "req-4"
    assert probe["task"].startswith("tests.log_probe[")


def _line_logged_by_a_process_with(env: dict) -> str:
    env = {**{k: v for k, v in os.environ.items() if k != "LOG_FORMAT"}, **env}
    code = "import logging; logging.getLogger('tests.probe').warning('hello')"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stderr.strip().splitlines()[-1]


def test_logs_are_json_in_production_and_plain_in_development_unless_log_format_says():
    line = json.loads(_line_logged_by_a_process_with(PRODUCTION_ENV))
    assert (line["level"], line["logger"], line["message"]) == ("WARNING", "tests.probe", "hello")
    plain = r"\S+ \S+ WARNING tests.probe \[-\] hello"
    assert re.fullmatch(plain, _line_logged_by_a_process_with({"DJANGO_DEBUG": "1"}))
    assert re.fullmatch(
        plain, _line_logged_by_a_process_with({**PRODUCTION_ENV, "LOG_FORMAT": "plain"})
    )
    env = {**os.environ, "LOG_FORMAT": "xml"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "LOG_FORMAT is json or plain" in result.stderr


def test_under_asgi_the_middleware_names_and_logs_the_request_too(json_lines):
    async def view(request):
        probe_log.info("inside an async view")
        return HttpResponse("ok")

    middleware = RequestIdMiddleware(view)
    request = RequestFactory().get("/async/", headers={"X-Request-ID": "req-async"})
    # A thread of its own: the browser tests may leave an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        response = thread.submit(asyncio.run, middleware(request)).result()
    assert response["X-Request-ID"] == "req-async"
    inside, request_line = json_lines()
    assert inside["request_id"] == request_line["request_id"] == "req-async"
    assert request_line["path"] == "/async/"
