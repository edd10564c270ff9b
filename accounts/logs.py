"""Structured logs: one JSON object per line, each carrying the id of the request it serves.

A request's id is the `X-Request-ID` a proxy sent, when it is sane, or a new one. It goes back in
the response's header, into every line logged while the request runs, and into the Celery tasks
the request queues (a message header), so the worker's lines for those tasks carry it too.

The request line names no user and no address: a log reader must not be able to tie an anonymous
note or suggestion to whoever posted it. Secret tokens in paths (feedback links, receipts,
password resets) are masked.
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from celery import signals
from django.urls import Resolver404, resolve

HEADER = "X-Request-ID"
# What a load balancer or tracing proxy sends (UUIDs, hex, AWS's "Root=1-..."), and nothing that
# could break a log line or fill a disk.
_SANE_ID = re.compile(r"[A-Za-z0-9._:=+/-]{1,128}")
_TASK_HEADER = "request_id"

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")
current_task: ContextVar[str] = ContextVar("current_task", default="")

requests_log = logging.getLogger("learnorg.requests")


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id; the request's method, path, status and duration
    on request lines; the task on a worker's lines; the traceback when there is one."""

    EXTRA = ("method", "path", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id.get() or None,
        }
        if task := current_task.get():
            entry["task"] = task
        entry.update({name: getattr(record, name) for name in self.EXTRA if hasattr(record, name)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    """Gives the plain development format its %(request_id)s."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get() or "-"
        return True


def _request_id_from(request) -> str:
    incoming = request.headers.get(HEADER, "")
    return incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex


def _logged_path(request) -> str:
    # A request refused before URL resolution (bad host, oversized body) has no resolver_match.
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return request.path
    token = match.kwargs.get("token")
    return request.path.replace(token, "<token>") if token else request.path


def _log_request(request, response, started: float) -> None:
    response[HEADER] = current_request_id.get()
    path = _logged_path(request)
    duration_ms = round((time.monotonic() - started) * 1000, 1)
    requests_log.info(
        "%s %s %s %.1f ms",
        request.method,
        path,
        response.status_code,
        duration_ms,
        extra={
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "duration_ms": duration_ms,
        },
    )


class RequestIdMiddleware:
    """Outermost middleware: names the request, logs one line for it, returns the id in the
    response. Works under WSGI and ASGI alike."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self._acall(request)
        token = current_request_id.set(_request_id_from(request))
        started = time.monotonic()
        try:
            response = self.get_response(request)
            _log_request(request, response, started)
            return response
        finally:
            current_request_id.reset(token)

    async def _acall(self, request):
        token = current_request_id.set(_request_id_from(request))
        started = time.monotonic()
        try:
            response = await self.get_response(request)
            _log_request(request, response, started)
            return response
        finally:
            current_request_id.reset(token)


@signals.before_task_publish.connect(dispatch_uid="accounts.logs.request_id_to_task")
def _request_id_to_task(headers=None, **kwargs):
    if headers is not None and (request_id := current_request_id.get()):
        headers[_TASK_HEADER] = request_id


@signals.task_prerun.connect(dispatch_uid="accounts.logs.request_id_in_task")
def _request_id_in_task(task=None, **kwargs):
    # A task run inline (eager) keeps the id of the request it runs in.
    request_id = getattr(task.request, _TASK_HEADER, None) or current_request_id.get()
    task.request.log_context = (
        current_request_id.set(request_id),
        current_task.set(f"{task.name}[{task.request.id}]"),
    )


@signals.task_postrun.connect(dispatch_uid="accounts.logs.request_id_after_task")
def _request_id_after_task(task=None, **kwargs):
    tokens = getattr(task.request, "log_context", None)
    if not tokens:
        return
    try:
        current_task.reset(tokens[1])
        current_request_id.reset(tokens[0])
    except ValueError:  # a pool that ran prerun in another context: forget, never leak
        current_task.set("")
        current_request_id.set("")
