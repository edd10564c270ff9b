"""Gives each pytest-xdist worker its own Redis databases and local state before Django starts.

Loaded with `-p tests.xdist_worker` (pyproject), so it runs before pytest-django reads the
settings. Every test empties the cache, which on Redis is FLUSHDB: workers sharing a database
would empty each other's. PostgreSQL needs nothing here: pytest-django already suffixes the test
database with the worker id.
"""

import os
import re
from pathlib import Path

from _pytest.nodeid import coerce_node_id

_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_REDIS_DB = re.compile(r"^(rediss?://[^/]*)/(\d+)$")


def _own_database(url: str, offset: int) -> str:
    match = _REDIS_DB.match(url)
    if not match:
        return url
    return f"{match[1]}/{(int(match[2]) + offset) % 16}"


if _WORKER.startswith("gw"):
    # The main process keeps the databases it was given; worker N moves 2N databases along,
    # so broker (CI: 5) and cache (CI: 6) of every worker stay distinct.
    _offset = 2 * (int(_WORKER[2:]) + 1)
    for _name in ("CACHE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        if os.environ.get(_name):
            os.environ[_name] = _own_database(os.environ[_name], _offset)
    _var = Path(os.environ.get("LEARNORG_VAR_DIR", Path(__file__).resolve().parents[1] / "var"))
    os.environ["LEARNORG_VAR_DIR"] = str(_var / f"xdist-{_WORKER}")


def pytest_collection_modifyitems(config, items):
    """With `--dist loadgroup`, tests marked `xdist_group` run on one worker (the backup module
    builds its scratch database once). pytest-xdist marks them by appending "@group" to the node
    id through `item._nodeid`, which pytest 9.2 no longer reads (it keeps the id in `item._id`),
    so the groups were silently dealt out like any other test:
    https://github.com/pytest-dev/pytest-xdist/issues/1386. Mark them here the way xdist meant."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        suffix = f"@{'_'.join(sorted(names))}"
        if names and not item.nodeid.endswith(suffix):
            item._id = coerce_node_id(item.nodeid + suffix)
