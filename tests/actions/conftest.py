import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings


@pytest.fixture
def working_hours():
    """A Wednesday mid-morning in the firm's time zone, the clock running: the sweep sends only
    when the reminder policy allows it, so its tests must not depend on when they run."""
    morning = dt.datetime(2027, 6, 9, 10, 0, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(morning, tick=True):
        yield
