"""The benchmark commands (they drop indexes, turn off foreign-key checks and mass-delete rows)
refuse to run with production settings unless told, and the production image leaves them out."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from feedback.models import Client
from tests.project.test_deploy import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
BENCH_COMMANDS = {
    "seed_bench": ROOT / "demo/management/commands/seed_bench.py",
    "bench_reminders": ROOT / "actions/management/commands/bench_reminders.py",
}


def _manage(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **PRODUCTION_ENV, **extra_env}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_seed_bench_refuses_to_run_with_django_debug_off():
    result = _manage("seed_bench", "--interviews", "10")
    assert result.returncode != 0
    assert "refuses to run with DJANGO_DEBUG=0" in result.stderr
    assert "--allow-production" in result.stderr


@pytest.mark.django_db
@override_settings(BENCH_COMMANDS_ALLOWED=False)
@pytest.mark.parametrize("command", sorted(BENCH_COMMANDS))
def test_a_bench_command_refuses_before_touching_the_database(command):
    with pytest.raises(CommandError, match="refuses to run with DJANGO_DEBUG=0"):
        call_command(command, stdout=io.StringIO())
    assert not Client.objects.exists()


@pytest.mark.django_db
@override_settings(BENCH_COMMANDS_ALLOWED=False)
def test_seed_bench_runs_in_production_when_the_flag_says_so():
    call_command("seed_bench", interviews=20, batch=64, allow_production=True, stdout=io.StringIO())
    assert Client.objects.filter(name__startswith="Bench client").count() == 20


def _bench_allowed(**extra_env: str) -> str:
    code = "from django.conf import settings; print(settings.BENCH_COMMANDS_ALLOWED)"
    result = _manage("shell", "--no-imports", "-c", code, **extra_env)
    return result.stdout.strip() or result.stderr


def test_the_environment_variable_allows_the_bench_commands_in_production():
    assert _bench_allowed() == "False"
    assert _bench_allowed(LEARNORG_ALLOW_BENCH="1") == "True"


def test_the_production_image_leaves_out_the_bench_commands():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for path in BENCH_COMMANDS.values():
        assert path.exists()
        assert str(path.relative_to(ROOT)) in ignored
    assert "demo/bench.py" in ignored
