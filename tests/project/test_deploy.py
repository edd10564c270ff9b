"""Production settings pass Django's deployment checklist, docker-compose.yml is valid and runs
migrations once, and the image installs the locked dependencies before the code."""

import fnmatch
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from ruamel.yaml import YAML

from tests.sources import project_app_configs

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "k7Qz9" * 10,
    "DJANGO_ALLOWED_HOSTS": "learnorg.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://learnorg.example.com",
}


def test_production_settings_pass_check_deploy():
    env = {**os.environ, **PRODUCTION_ENV}
    # The browser tests' fixture sets this for the test process only; production never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_development_secret_key():
    env = {**os.environ, **PRODUCTION_ENV}
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_compose_file_matches_the_compose_spec():
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("check-jsonschema")),
            "--builtin-schema",
            "vendor.compose-spec",
            str(ROOT / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_runs_the_production_services():
    compose = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("db", "redis", "web"):
        assert "healthcheck" in services[name], name
    # An ASGI server: the live screens' push streams stay open (WSGI would buffer them whole).
    assert "uvicorn learnorg.asgi:application" in " ".join(services["web"]["command"])


def test_make_run_serves_the_web_app_under_an_asgi_server():
    web = next(
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    assert "uvicorn learnorg.asgi:application" in web


def test_the_installed_package_and_the_image_hold_every_app():
    first_party = {config.name for config in project_app_configs()}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packaged = {app for app in first_party if any(fnmatch.fnmatch(app, p) for p in patterns)}
    assert packaged == first_party

    copied = {
        line.split()[1]
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.startswith("COPY ") and line.split()[1] != "."
    }
    assert first_party | {"learnorg"} <= copied


def test_compose_runs_migrations_once_before_web_worker_and_beat():
    services = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name
    for name, service in services.items():
        if name != "migrate":
            assert "migrate" not in " ".join(service.get("command", [])), name


def _lock_pins() -> dict[str, tuple[Version, set[str]]]:
    """Each pinned package: its version, and what needs it (uv's "# via" notes)."""
    pins, name = {}, None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            requirement = Requirement(line.split(" ;")[0].rstrip(" \\"))
            name = canonicalize_name(requirement.name)
            pins[name] = (Version(str(requirement.specifier)[2:]), set())
        elif name and (note := line.strip().removeprefix("#").strip()) not in {"", "via"}:
            pins[name][1].add(note.removeprefix("via ").strip())
    return pins


def test_the_lock_file_pins_the_runtime_dependencies_and_no_development_tool():
    runtime = [
        Requirement(line)
        for line in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    ]
    pins = _lock_pins()
    for requirement in runtime:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is missing from requirements.lock: run `make lock`"
        assert pins[name][0] in requirement.specifier, f"{name}: run `make lock`"
    asked_for = {name for name, (_, via) in pins.items() if "learnorg (pyproject.toml)" in via}
    assert asked_for == {canonicalize_name(r.name) for r in runtime}, "run `make lock`"
    for tool in ("pytest", "ruff", "playwright", "honcho", "uv", "check-jsonschema"):
        assert tool not in pins


def test_the_image_installs_the_locked_dependencies_before_copying_the_code():
    steps = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line[:1].isalpha()]
    install = next(i for i, step in enumerate(steps) if step.startswith("RUN pip install"))
    assert "--require-hashes" in steps[install] and "-r requirements.lock" in steps[install]
    copies = [i for i, step in enumerate(steps) if step.startswith("COPY ")]
    assert steps[copies[0]] == "COPY requirements.lock ./"
    assert all(i > install for i in copies[1:])
    assert "COPY . ." not in steps
    assert "migrate" not in " ".join(steps)
