import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnorg.settings")

app = Celery("learnorg")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def _log_as_django_does(**kwargs):
    """Worker and beat log through settings.LOGGING (JSON lines in production, with the request
    id of the page that queued the task), not in Celery's own format."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
