import datetime as dt

import pytest
from django.utils import timezone

from dashboard import services, tasks
from dashboard.models import Snapshot

pytestmark = pytest.mark.django_db


def test_the_refresh_task_refreshes_the_default_view_and_drops_old_snapshots(firm):
    Snapshot.objects.create(key="old", data={}, computed_at=timezone.now() - dt.timedelta(days=2))
    tasks.refresh_dashboard.delay()
    snapshot = Snapshot.objects.get()
    assert snapshot.key == services.default_filters(firm.today).key
    assert snapshot.data["headline"]["clients_lost"] == 6


def test_the_refresh_task_is_scheduled_by_beat(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["dashboard-refresh"]
    assert schedule["task"] == "dashboard.tasks.refresh_dashboard"
