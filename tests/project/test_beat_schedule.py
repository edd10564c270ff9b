"""The beat schedule as the scheduler we run (django_celery_beat's DatabaseScheduler) reads it:
a run that waited in the queue for as long as the interval is dropped, because the next one is
already due."""

import pytest
from django.conf import settings
from django_celery_beat.schedulers import ModelEntry

from learnorg.celery import app

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_a_scheduled_run_expires_before_the_next_is_due(name):
    entry = settings.CELERY_BEAT_SCHEDULE[name]
    scheduled = ModelEntry.from_entry(name, app=app, **entry)
    assert 0 < scheduled.options.get("expires", 0) < entry["schedule"]
