"""Who may act is decided next to visible_to (each model's querysets and methods) and roles are
checked by accounts.decorators.role_required alone: no app keeps its own copy."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "actions", "dashboard", "feedback", "learnorg", "retrospectives")
THE_DECORATOR = ROOT / "accounts" / "decorators.py"


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _definitions(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node.lineno
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    yield target.id, node.lineno


def _is_local_permission_helper(name: str) -> bool:
    """A role decorator (…_required), a partner check (_require_partner) or an ad-hoc
    "may this person…" helper in a views module."""
    return (
        name.endswith("_required")
        or name.startswith("_require_partner")
        or name in {"_can_run", "_can_edit_lesson", "_is_overseer"}
    )


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_app_defines_no_role_check_of_its_own(path):
    if path == THE_DECORATOR:
        return
    tree = ast.parse(path.read_text(), filename=str(path))
    copies = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for name, line in _definitions(tree)
        if _is_local_permission_helper(name)
    ]
    assert not copies, "use accounts.decorators.role_required or the model's rule: " + ", ".join(
        copies
    )


def test_one_role_decorator_serves_every_app_with_role_pages():
    assert THE_DECORATOR.exists()
    for app in ("actions", "dashboard", "feedback", "retrospectives"):
        source = (ROOT / app / "views.py").read_text()
        assert "from accounts.decorators import role_required" in source, app
