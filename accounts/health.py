"""/healthz/: the public liveness probe that load balancers and docker-compose poll."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection
from kombu.exceptions import OperationalError


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _broker_ok() -> bool:
    broker = Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=2,
    )
    try:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return True
    except (OperationalError, OSError):
        return False
    finally:
        broker.release()


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """Public liveness probe: 200 when the database and the Celery broker answer, else 503."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            **{k: "ok" if v else "down" for k, v in checks.items()},
        },
        status=200 if healthy else 503,
    )
