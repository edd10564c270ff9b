"""People who may not use a page get 404, never 403, so a page never confirms that something
exists. Two guards: the permission matrix expects no 403 anywhere, and no view of the app raises
PermissionDenied or answers HttpResponseForbidden."""

import ast
from pathlib import Path

from tests.security.test_permission_matrix import MATRIX

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "actions", "dashboard", "feedback", "learnorg", "retrospectives"]
FORBIDDEN_NAMES = {"PermissionDenied", "HttpResponseForbidden"}


def test_the_permission_matrix_expects_no_403():
    forbidden = [case for case, rows in MATRIX.items() if "403" in " ".join(rows).split()]
    assert forbidden == []


def _uses_forbidden(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in FORBIDDEN_NAMES:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
        is_status = isinstance(node, ast.keyword) and node.arg == "status"
        if is_status and isinstance(node.value, ast.Constant) and node.value.value == 403:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} status=403")
    return found


def test_no_view_answers_forbidden():
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                found += _uses_forbidden(path)
    assert found == [], "answer 404 (Http404) instead: " + ", ".join(found)
