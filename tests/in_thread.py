"""Run async test code on a thread of its own."""

import threading

from asgiref.sync import async_to_sync
from django.db import connections


def run_async(function, *args):
    """Run an async function to completion on a new thread: once a browser test has run, the
    main thread keeps Playwright's event loop, where async_to_sync refuses to start. The ORM
    calls it makes run on that thread too, with their own connection: tests that use it need
    committed data (`django_db(transaction=True)`)."""
    outcome = {}

    def target():
        try:
            outcome["value"] = async_to_sync(function)(*args)
        except BaseException as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
