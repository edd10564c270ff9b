"""Runs the test provider in a process of its own, so that learnorg's callback can call its token
endpoint while a test (or the live server's one request at a time) waits on learnorg."""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import types
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "provider-password-1"
CALLBACK = "/accounts/sso/callback/"
# The test Client's host, and the loopback hosts the live server may use (any port: RFC 8252).
HOSTS = ("testserver", "127.0.0.1", "localhost")
REDIRECT_URIS = " ".join(f"http://{host}{CALLBACK}" for host in HOSTS)
# Where the provider may send the browser after logging out: learnorg's login page.
POST_LOGOUT_REDIRECT_URIS = " ".join(f"http://{host}/accounts/login/" for host in HOSTS)
ALLOWED_DOMAINS = ["firm.example", "example.com"]
# People the provider knows. learnorg's tests create `alice` with alice@example.com.
PEOPLE = [
    {
        "username": "nina",
        "email": "nina.new@firm.example",
        "first_name": "Nina",
        "last_name": "New",
    },
    {"username": "alice", "email": "Alice@Example.COM", "first_name": "Alice", "last_name": "M"},
    {"username": "eve", "email": "eve@elsewhere.example", "first_name": "Eve", "last_name": "Out"},
    {"username": "una", "email": "una@firm.example", "groups": ["unverified-email"]},
    {"username": "pam", "email": "pam@firm.example", "groups": ["lo-partners", "sales"]},
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _signing_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@contextmanager
def provider(timeout: float = 30):
    """Migrates, fills and serves the provider on a free port; raises if it does not answer."""
    with tempfile.TemporaryDirectory(prefix="oidc-provider-") as folder:
        data = Path(folder)
        (data / "signing-key.pem").write_text(_signing_key())
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        issuer = f"{url}/o"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
            "OIDC_PROVIDER_DIR": folder,
            "OIDC_PROVIDER_ISSUER": issuer,
            "PYTHONPATH": str(ROOT),
        }
        client_id, client_secret = "learnorg-tests", secrets.token_urlsafe(24)
        world = {
            "users": [{"password": PASSWORD, **person} for person in PEOPLE],
            "application": {
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uris": REDIRECT_URIS,
                "post_logout_redirect_uris": POST_LOGOUT_REDIRECT_URIS,
            },
        }
        setup = subprocess.run(
            [sys.executable, "-m", "tests.oidc_provider.setup"],
            input=json.dumps(world),
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if setup.returncode:
            raise RuntimeError(f"The test OpenID provider's setup failed:\n{setup.stderr}")
        log = data / "server.log"
        with log.open("w") as output:
            server = subprocess.Popen(
                [sys.executable, "-m", "django", "runserver", "--noreload", "--skip-checks"]
                + [f"127.0.0.1:{port}"],
                env=env,
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_for(f"{issuer}/.well-known/openid-configuration", server, log, timeout)
            yield types.SimpleNamespace(
                url=url,
                issuer=issuer,
                client_id=client_id,
                client_secret=client_secret,
                password=PASSWORD,
                log=log,
            )
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_for(url: str, server: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"The test OpenID provider stopped:\n{log.read_text()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"The test OpenID provider did not answer {url} in {timeout} s")


def sign_in(authorize_url: str, username: str, password: str = PASSWORD) -> str:
    """Does what a person does at the provider: opens the authorization URL, fills in the login
    form, and returns the URL the provider sends the browser back to (learnorg's callback)."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)
    page.raise_for_status()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    next_url = re.search(r'name="next" value="([^"]+)"', page.text).group(1)
    response = browser.post(
        page.url,
        data={
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": password,
            "next": next_url.replace("&amp;", "&"),
        },
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=10,
    )
    provider_host = urlsplit(page.url).netloc
    # Follows the provider's own redirects (login → authorize) until it sends us back.
    while response.is_redirect:
        location = urljoin(response.url, response.headers["Location"])
        if urlsplit(location).netloc != provider_host:
            return location
        response = browser.get(location, allow_redirects=False, timeout=10)
    raise AssertionError(f"The provider did not send the browser back: {response.status_code}")
