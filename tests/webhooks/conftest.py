import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from learnorg.celery import app as celery_app
from webhooks.models import Webhook


class Receiver:
    """A local HTTP server that records what it is sent and answers with the codes it is told,
    then 200."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: deque[int] = deque()
        received, answers = self.received, self.answers

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                code = answers.popleft() if answers else 200
                self.send_response(code)
                if code in (301, 302, 307, 308):
                    self.send_header("Location", "/elsewhere/")
                self.end_headers()
                self.wfile.write(b'{"thanks": true}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/learnorg/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.received]


@pytest.fixture
def receiver(settings):
    # The receiver listens on loopback, an address webhooks refuse by default.
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def hook(receiver):
    return Webhook.objects.create(url=receiver.url, events=["action.created", "action.done"])


@pytest.fixture(autouse=True)
def _retries_run_inline():
    """Inline (eager) tasks hand a retry back to Celery, which runs it again at once, instead of
    raising it to the caller."""
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True
