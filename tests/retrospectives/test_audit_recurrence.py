"""Recurring process audits keep their day of the month (short months take their last day) and
their wall-clock time in the firm's time zone, whatever the clocks do."""

import datetime as dt
import zoneinfo

import pytest

from retrospectives.models import AuditSchedule, add_months

UTC = dt.UTC
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _firm_in_new_york(settings):
    settings.TIME_ZONE = "America/New_York"


def _schedule(starts_on: dt.date, frequency="monthly", at=dt.time(9, 0)) -> AuditSchedule:
    return AuditSchedule(starts_on=starts_on, frequency=frequency, time_of_day=at)


def _dates(schedule: AuditSchedule, count: int) -> list[dt.date]:
    return [schedule.date_of(n) for n in range(count)]


def test_add_months_takes_the_last_day_of_a_shorter_month():
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2027, 8, 31), 1) == dt.date(2027, 9, 30)
    assert add_months(dt.date(2027, 11, 15), 3) == dt.date(2028, 2, 15)
    assert add_months(dt.date(2027, 12, 31), 12) == dt.date(2028, 12, 31)


def test_a_recurring_audit_is_anchored_on_the_first_day_not_on_the_short_month():
    dates = _dates(_schedule(dt.date(2027, 1, 31)), 5)
    assert dates == [
        dt.date(2027, 1, 31),
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 31),
        dt.date(2027, 4, 30),
        dt.date(2027, 5, 31),
    ]


def test_a_recurring_audit_takes_29_february_in_a_leap_year():
    dates = _dates(_schedule(dt.date(2028, 1, 31)), 3)
    assert dates == [dt.date(2028, 1, 31), dt.date(2028, 2, 29), dt.date(2028, 3, 31)]


def test_a_yearly_audit_on_29_february_falls_on_28_february_until_the_next_leap_year():
    dates = _dates(_schedule(dt.date(2028, 2, 29), "yearly"), 5)
    assert dates == [
        dt.date(2028, 2, 29),
        dt.date(2029, 2, 28),
        dt.date(2030, 2, 28),
        dt.date(2031, 2, 28),
        dt.date(2032, 2, 29),
    ]


def test_a_quarterly_audit_returns_to_its_day_after_february():
    dates = _dates(_schedule(dt.date(2026, 11, 30), "quarterly"), 5)
    assert dates == [
        dt.date(2026, 11, 30),
        dt.date(2027, 2, 28),
        dt.date(2027, 5, 30),
        dt.date(2027, 8, 30),
        dt.date(2027, 11, 30),
    ]


def test_a_recurring_audit_stays_at_nine_local_across_the_spring_and_autumn_clock_changes():
    schedule = _schedule(dt.date(2027, 1, 15))
    starts = [schedule.start_of(day) for day in _dates(schedule, 12)]
    assert {when.astimezone(NEW_YORK).time() for when in starts} == {dt.time(9, 0)}
    in_utc = [when.astimezone(UTC) for when in starts]
    assert in_utc[0] == dt.datetime(2027, 1, 15, 14, 0, tzinfo=UTC)  # EST, UTC-5
    assert in_utc[2] == dt.datetime(2027, 3, 15, 13, 0, tzinfo=UTC)  # EDT from 14 March
    assert in_utc[9] == dt.datetime(2027, 10, 15, 13, 0, tzinfo=UTC)
    assert in_utc[10] == dt.datetime(2027, 11, 15, 14, 0, tzinfo=UTC)  # EST from 7 November


def test_on_the_day_the_clocks_change_it_is_still_nine_local():
    schedule = _schedule(dt.date(2027, 3, 14))
    assert schedule.start_of(dt.date(2027, 3, 14)).astimezone(UTC) == dt.datetime(
        2027, 3, 14, 13, 0, tzinfo=UTC
    )
    assert schedule.start_of(dt.date(2027, 11, 7)).astimezone(UTC) == dt.datetime(
        2027, 11, 7, 14, 0, tzinfo=UTC
    )


def test_a_time_the_clocks_skip_is_read_as_the_hour_after():
    schedule = _schedule(dt.date(2027, 3, 14), at=dt.time(2, 30))
    when = schedule.start_of(dt.date(2027, 3, 14))
    assert when.astimezone(NEW_YORK).replace(tzinfo=None) == dt.datetime(2027, 3, 14, 3, 30)


def test_a_recurring_audit_follows_the_firms_time_zone_and_its_own_clock_changes(settings):
    settings.TIME_ZONE = "Europe/London"
    schedule = _schedule(dt.date(2027, 3, 20), "monthly")
    winter, summer = (schedule.start_of(schedule.date_of(n)).astimezone(UTC) for n in (0, 1))
    assert winter == dt.datetime(2027, 3, 20, 9, 0, tzinfo=UTC)  # GMT
    assert summer == dt.datetime(2027, 4, 20, 8, 0, tzinfo=UTC)  # BST from 28 March


def test_dates_between_lists_only_the_dates_inside_the_window():
    schedule = _schedule(dt.date(2026, 1, 31))
    start = dt.datetime(2027, 2, 1, tzinfo=NEW_YORK)
    found = schedule.dates_between(start, start + dt.timedelta(days=60))
    assert [day for day, _ in found] == [dt.date(2027, 2, 28), dt.date(2027, 3, 31)]
    assert (
        schedule.dates_between(
            dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 30, tzinfo=UTC)
        )
        == []
    )
