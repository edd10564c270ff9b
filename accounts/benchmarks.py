"""What every benchmark command shares: it may not run against a production database by mistake.

`seed_bench` drops indexes and turns off foreign-key checks while it bulk-inserts a fake firm, and
`bench_reminders` creates and deletes a hundred thousand actions; neither belongs near real data.
"""

from django.conf import settings
from django.core.management.base import CommandError

ALLOW_FLAG = "--allow-production"


def add_allow_production_argument(parser) -> None:
    parser.add_argument(
        ALLOW_FLAG,
        action="store_true",
        help="Run even with DJANGO_DEBUG=0 (on a database of its own, like `make bench` does).",
    )


def refuse_in_production(*, command: str, allowed: bool) -> None:
    """Stop the command when DJANGO_DEBUG=0, unless --allow-production or LEARNORG_ALLOW_BENCH=1
    (settings.BENCH_COMMANDS_ALLOWED) says the operator means it."""
    if allowed or settings.BENCH_COMMANDS_ALLOWED:
        return
    raise CommandError(
        f"{command} is a benchmark that rewrites the database wholesale and refuses to run with "
        f"DJANGO_DEBUG=0. On a database of its own, pass {ALLOW_FLAG} or set "
        "LEARNORG_ALLOW_BENCH=1."
    )
