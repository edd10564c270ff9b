"""A real Celery worker, on the configured broker (filesystem locally, Redis in CI), runs a task
and hands its result back when asked for it (the app's own tasks store none)."""

import pytest
from celery.contrib.testing.tasks import ping
from celery.contrib.testing.worker import start_worker

from learnorg.celery import app


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_and_returns_its_result():
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert ping.apply_async(ignore_result=False).get(timeout=20) == "pong"
