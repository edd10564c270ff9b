"""Dependencies between the apps run one way, and `learnorg/` is configuration only.

Every module of every app (migrations and management commands included) is parsed, so an import
tucked inside a function counts as much as one at the top. A new app must take its place in
MAY_IMPORT before this passes.
"""

import ast
from pathlib import Path

from django.apps import apps

from tests.sources import project_app_configs

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "learnorg"

BASE = {"accounts"}
SOURCES = BASE | {"actions", "feedback", "retrospectives"}
# The apps each app may import (besides itself). accounts imports no app; actions never imports
# its sources (it refers to them by string foreign keys); dashboard, privacy and demo read the
# others and nothing imports them, except that the demo also seeds the dashboard's goal.
MAY_IMPORT = {
    "accounts": set(),
    "actions": BASE,
    "feedback": BASE | {"actions"},
    "retrospectives": BASE | {"actions", "feedback"},
    "dashboard": SOURCES,
    "privacy": SOURCES,
    "demo": SOURCES | {"dashboard"},
    # Hears the sources' events through accounts.events; nothing imports it.
    "webhooks": BASE,
}
# What the project package holds: settings, URLs, the Celery app and the WSGI/ASGI entry points.
CONFIGURATION = {"__init__.py", "settings.py", "urls.py", "celery.py", "wsgi.py", "asgi.py"}


def _first_party_apps() -> set[str]:
    return {config.name for config in project_app_configs()}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, dotted name) of everything the module imports, relative imports resolved and
    `import_module("...")` with a literal name included."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module
            found.append((node.lineno, name))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def _crossings(app: str) -> list[str]:
    """Every import in the app of another first-party app or of the project package."""
    first_party = set(MAY_IMPORT) | _first_party_apps() | {PROJECT}
    crossings = []
    for path in sorted((ROOT / app).rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(), filename=str(path))
        for line, name in _imported(tree, module, path.name == "__init__.py"):
            top = name.split(".")[0]
            if top in first_party and top != app:
                crossings.append((top, f"{path.relative_to(ROOT)}:{line} imports {name}"))
    return crossings


def test_every_app_of_the_project_has_its_place_in_the_dependency_order():
    assert _first_party_apps() == set(MAY_IMPORT)


def test_the_project_package_is_not_an_app():
    assert not apps.is_installed(PROJECT)


def test_the_project_package_holds_configuration_only():
    held = {
        path.name
        for path in (ROOT / PROJECT).iterdir()
        if path.name != "__pycache__" and not path.name.startswith(".")
    }
    assert held == CONFIGURATION


def test_each_app_imports_only_the_apps_it_may():
    wrong = [
        where
        for app, allowed in MAY_IMPORT.items()
        for imported, where in _crossings(app)
        if imported not in allowed
    ]
    assert wrong == []


def test_the_boundary_check_sees_an_import_hidden_in_a_function_or_made_relative():
    tree = ast.parse(
        "def f():\n"
        "    from feedback.models import Client\n"
        "from ..feedback import services\n"
        "from . import models\n"
        "import_module('retrospectives.tasks')\n"
    )
    assert {name for _, name in _imported(tree, "actions.management.x", False)} == {
        "feedback.models",
        "actions.feedback",
        "actions.management",
        "retrospectives.tasks",
    }
