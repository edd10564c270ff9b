"""Scaling out: two web processes and the one-off migrate job start at once against one fresh
PostgreSQL database, as `docker compose up --scale web=2` does. The webs do not migrate and do
not fail on the empty database; once migrate has finished, both answer /healthz/.

The commands are docker-compose.yml's own (web and migrate), run on this machine, with production
settings. It needs the local PostgreSQL (127.0.0.1:5432, user postgres), like the backup test: it
fails, never skips, when PostgreSQL is missing, so CI notices."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from email.message import Message
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import sql
from ruamel.yaml import YAML

from tests.project.test_deploy import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
SERVER = "postgres://postgres@127.0.0.1:5432"

pytestmark = pytest.mark.services


def _on_server(statement: sql.Composable) -> None:
    connection = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    connection.autocommit = True  # CREATE and DROP DATABASE cannot run in a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _compose_command(service: str, port: int | None = None) -> list[str]:
    """The service's command from docker-compose.yml, bound to 127.0.0.1:<port>, two workers."""
    command = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())["services"][service][
        "command"
    ]
    local = {"0.0.0.0:8000": f"127.0.0.1:{port}", "0.0.0.0": "127.0.0.1", "8000": str(port)}
    command = [local.get(word, word) for word in command]
    if "--workers" in command:
        command[command.index("--workers") + 1] = "2"
    program = Path(sys.executable).with_name(command[0])
    return [sys.executable if command[0] == "python" else str(program), *command[1:]]


def _healthz(port: int) -> tuple[int, Message | dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=5) as answer:
            return answer.status, answer.headers  # looked up whatever the case
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers
    except OSError:
        return 0, {}


@pytest.fixture
def scratch_database():
    name = f"prod_scale_{secrets.token_hex(4)}"
    _on_server(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield f"{SERVER}/{name}"
    _on_server(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_two_webs_and_the_migrate_job_start_at_once_on_one_fresh_database(
    scratch_database, tmp_path
):
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "LOG_FORMAT"}
    }
    inherited.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env = {
        **inherited,
        **PRODUCTION_ENV,
        "DATABASE_URL": scratch_database,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "LEARNORG_VAR_DIR": str(tmp_path / "var"),
    }
    ports = [_free_port(), _free_port()]
    logs = {name: tmp_path / f"{name}.log" for name in ("migrate", "web-1", "web-2")}
    commands = {
        "migrate": _compose_command("migrate"),
        "web-1": _compose_command("web", ports[0]),
        "web-2": _compose_command("web", ports[1]),
    }
    with ExitStack() as stack:
        processes = {}
        for name, command in commands.items():
            output = stack.enter_context(logs[name].open("w"))
            processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )
            stack.callback(_stop, processes[name])

        assert processes["migrate"].wait(timeout=300) == 0, logs["migrate"].read_text()
        answers = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(answers) < len(ports):
            for port in ports:
                status, headers = _healthz(port)
                if status == 200:
                    answers[port] = headers
            time.sleep(0.2)
        for name in ("web-1", "web-2"):
            assert processes[name].poll() is None, logs[name].read_text()

    assert set(answers) == set(ports), {name: path.read_text() for name, path in logs.items()}
    for path in logs.values():
        output = path.read_text()
        assert "Traceback" not in output, output
        assert '"level": "ERROR"' not in output and '"level": "CRITICAL"' not in output, output
    # Each web logged the probe as one JSON line, under the id it returned.
    for port, name in zip(ports, ("web-1", "web-2"), strict=True):
        lines = [
            json.loads(line) for line in logs[name].read_text().splitlines() if line[:1] == "{"
        ]
        probes = [line for line in lines if line.get("path") == "/healthz/"]
        assert answers[port]["X-Request-ID"] in {line["request_id"] for line in probes}


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
