"""What the source says about itself stays true for the next reader: every third-party module it
imports is declared in pyproject.toml, and comments say why the code is as it is, not which
issue once asked for it."""

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ISSUE_LABEL = re.compile(r"\bissues? #?\d+|\(#\d+\)", re.IGNORECASE)
# A design document kept outside the repository: its section numbers mean nothing here.
OUTSIDE_DOCUMENT = re.compile(r"DESIGN\.md")


def _tracked(*patterns: str) -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [ROOT / line for line in listed.stdout.splitlines() if (ROOT / line).is_file()]


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [
        *project["dependencies"],
        *(r for extra in project["optional-dependencies"].values() for r in extra),
    ]
    return {_normalised(re.match(r"[A-Za-z0-9._-]+", r).group()) for r in requirements}


def _imported_top_levels(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_every_third_party_module_the_code_and_tests_import_is_declared():
    local = {path.name for path in ROOT.iterdir() if path.is_dir()} | {"manage"}
    distributions = packages_distributions()
    declared = _declared()
    undeclared = {}
    for path in _tracked("*.py"):
        for module in _imported_top_levels(path) - local - set(sys.stdlib_module_names):
            names = {_normalised(d) for d in distributions.get(module, [module])}
            if not names & declared:
                undeclared.setdefault(module, path.relative_to(ROOT).as_posix())
    assert undeclared == {}, "declare these in pyproject.toml (dev extra if only tests use them)"


def _lines_matching(pattern: re.Pattern) -> list[str]:
    sources = _tracked("*.py", "*.html", "*.txt", "*.js", "*.css", "Makefile", "*.sh", "*.yml")
    return [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sources
        if "vendor" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]


def test_comments_do_not_label_code_with_issue_numbers():
    labelled = _lines_matching(ISSUE_LABEL)
    assert labelled == [], "say why the code is as it is; the issue number means nothing here"


def test_comments_do_not_send_the_reader_to_a_document_the_repository_lacks():
    pointers = _lines_matching(OUTSIDE_DOCUMENT)
    assert pointers == [], "say it here, or in the README"


def test_the_label_checks_know_what_they_look_for():
    # Built from pieces, so that this file does not trip the checks it tests.
    issue, document = "issue", "DESIGN" + ".md"
    assert ISSUE_LABEL.search(f"# a workaround ({issue} #12)")
    assert ISSUE_LABEL.search(f"# see {issue}s 7 and 8")
    assert ISSUE_LABEL.search("# kept short (" + "#17)")
    assert not ISSUE_LABEL.search("color: #123456; width: 12px")
    assert OUTSIDE_DOCUMENT.search(f'"""The roles of {document} §2."""')
