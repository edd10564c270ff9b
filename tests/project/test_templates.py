"""Templates stay readable by a designer: no line longer than a screen, one pager and one
blame-language hint that every page includes rather than copies."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
LONGEST_LINE = 200


def _templates() -> list[Path]:
    return [path for path in sorted(TEMPLATES.rglob("*")) if path.is_file()]


def test_no_template_line_is_longer_than_200_characters():
    long_lines = [
        f"{path.relative_to(TEMPLATES)}:{number} ({len(line)} characters)"
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if len(line) > LONGEST_LINE
    ]
    assert long_lines == [], "wrap attributes one per line, or name a value with {% with %}"


def test_the_line_check_reads_the_templates():
    names = {path.relative_to(TEMPLATES).as_posix() for path in _templates()}
    assert {
        "base.html",
        "includes/pagination.html",
        "emails/reminder_subject.txt",
        "retrospectives/report.html",
    } <= names


def test_only_the_one_pager_writes_page_links():
    page_links = re.compile(r"[?&]page=|querystring page=")
    writers = {
        path.relative_to(TEMPLATES).as_posix()
        for path in TEMPLATES.rglob("*.html")
        if page_links.search(path.read_text())
    }
    assert writers == {"includes/pagination.html"}


def test_only_the_one_blame_hint_explains_a_blame_flag():
    hints = {
        path.relative_to(TEMPLATES).as_posix()
        for path in TEMPLATES.rglob("*.html")
        if "blame_flags|blame_groups" in path.read_text()
    }
    assert hints == {"feedback/_blame_hint.html"}
