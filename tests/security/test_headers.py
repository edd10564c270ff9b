"""Security headers on every page, production-only settings, and templates that a strict CSP
will not break (no inline script code, no style attributes, no inline event handlers)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ExitInterviewFactory
from tests.security.test_permission_matrix import MATRIX, _url
from tests.security.world import PERSONAS, build_world, log_in

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "k7Qz9" * 10,
    "DJANGO_ALLOWED_HOSTS": "learnorg.example.com",
}


def _csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["home", "accounts:login"])
def test_every_page_sends_a_strict_content_security_policy(client, alice, url_name):
    client.force_login(alice)
    if url_name == "accounts:login":
        client.logout()
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    directives = _csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_every_page_denies_framing_and_sniffing_and_limits_the_referrer(client, alice):
    client.force_login(alice)
    response = client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_every_page_sends_the_headers_on_a_not_found_page_too(client, alice):
    client.force_login(alice)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", ["feedback:interview_detail", "feedback:interview_edit", "feedback:interview_audit"]
)
def test_pages_showing_an_interview_are_never_stored(client, alice, pat, url_name):
    interview = ExitInterviewFactory(client__account_manager=alice, status="draft")
    client.force_login(pat)
    response = client.get(reverse(url_name, args=[interview.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def _production_settings(*names: str, extra_env: dict | None = None) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "learnorg.settings",
            **PRODUCTION_ENV,
            **(extra_env or {}),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_turn_on_hsts_secure_cookies_and_https():
    values = _production_settings(
        "DEBUG",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "X_FRAME_OPTIONS",
    )
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"


def test_development_settings_keep_cookies_usable_over_plain_http():
    values = _production_settings(
        "SESSION_COOKIE_SECURE", "SECURE_HSTS_SECONDS", extra_env={"DJANGO_DEBUG": "1"}
    )
    assert values == {"SESSION_COOKIE_SECURE": False, "SECURE_HSTS_SECONDS": 0}


def _template_files() -> list[Path]:
    folders = [ROOT / "templates", *ROOT.glob("*/templates")]
    return sorted(
        path for folder in folders for path in folder.rglob("*.html") if "vendor" not in path.parts
    )


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style\b", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
# htmx evaluates hx-on with Function(), which the CSP (no 'unsafe-eval') and allowEval=false block.
HTMX_ON = re.compile(r"""\shx-on""", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""=\s*["']\s*javascript:""", re.IGNORECASE)


def _inline_script_problems(text: str) -> list[str]:
    problems = []
    for attributes, body in SCRIPT_TAG.findall(text):
        is_data = re.search(r"""type\s*=\s*["']application/(ld\+)?json["']""", attributes)
        if is_data:
            continue
        if "src=" not in attributes.replace(" ", ""):
            problems.append("inline <script> without src")
        elif body.strip():
            problems.append("<script src> with inline code")
    return problems


def test_the_template_scan_finds_templates():
    assert any(path.name == "base.html" for path in _template_files())


def test_the_scan_would_catch_what_csp_blocks():
    assert _inline_script_problems("<script>alert(1)</script>")
    assert not _inline_script_problems('<script src="/static/js/x.js"></script>')
    assert not _inline_script_problems('<script type="application/json" id="d">{}</script>')
    assert STYLE_ATTRIBUTE.search('<div style="color: red">')
    assert EVENT_HANDLER.search('<button onclick="go()">')
    assert not EVENT_HANDLER.search('<button hx-on="x" data-confirm="y">')


@pytest.mark.parametrize(
    "path", _template_files(), ids=lambda p: str(p.relative_to(ROOT)) if isinstance(p, Path) else p
)
def test_templates_have_no_inline_script_or_style(path):
    text = path.read_text()
    problems = _inline_script_problems(text)
    if STYLE_ATTRIBUTE.search(text):
        problems.append('style="" attribute')
    if STYLE_TAG.search(text):
        problems.append("<style> element")
    if EVENT_HANDLER.search(text):
        problems.append("inline on…= event handler")
    if HTMX_ON.search(text):
        problems.append("hx-on attribute")
    if JAVASCRIPT_URL.search(text):
        problems.append("javascript: URL")
    assert not problems, f"{path.relative_to(ROOT)}: {', '.join(problems)} (blocked by our CSP)"


def test_htmx_is_configured_for_the_csp(client, db, alice):
    client.force_login(alice)
    body = client.get(reverse("home")).content.decode()
    # htmx would otherwise inject a <style> for its indicators and eval hx-on attributes.
    assert '"includeIndicatorStyles": false' in body
    assert '"allowEval": false' in body


@pytest.mark.django_db
def test_rendered_pages_have_no_inline_script_or_style():
    """The template scan above misses markup that widgets and crispy-forms render; this walks
    every page as the first persona who may open it and checks the HTML that goes out."""
    world = build_world()
    problems = []
    for case, (get, _) in sorted(MATRIX.items()):
        persona = next((p for p, a in zip(PERSONAS, get.split(), strict=True) if a == "200"), None)
        if persona is None:
            continue
        client = Client()
        log_in(client, persona, world)
        response = client.get(_url(case, world))
        if "html" not in response.get("Content-Type", ""):
            continue
        text = response.content.decode()
        found = _inline_script_problems(text)
        if STYLE_ATTRIBUTE.search(text):
            found.append('style="" attribute')
        if EVENT_HANDLER.search(text) or HTMX_ON.search(text):
            found.append("inline event handler")
        if found:
            problems.append(f"{case} as {persona}: {', '.join(found)}")
    assert not problems, "pages the CSP would break:\n" + "\n".join(problems)
