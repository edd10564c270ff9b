"""Two partners create a check-in for the same client at the same moment, each in its own
thread with its own database connection: one action is created, the other finds it.

On PostgreSQL (CI) the second waits on the client's row lock. SQLite's shared in-memory test
database refuses concurrent writers outright, so there the two run one after the other."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from accounts.models import Role
from actions.models import Action
from dashboard import services
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_partners_at_once_make_one_check_in(monkeypatch):
    partners = [UserFactory(roles=[Role.PARTNER]) for _ in range(2)]
    at_risk = ClientFactory()
    real_create = services.create_action

    def slow_create(**fields):
        time.sleep(0.3)  # the other partner's request arrives meanwhile
        return real_create(**fields)

    monkeypatch.setattr(services, "create_action", slow_create)
    one_at_a_time = threading.Lock() if connection.vendor == "sqlite" else None
    barrier = threading.Barrier(2)
    results, errors = [], []

    def partner_clicks(partner):
        try:
            barrier.wait(timeout=10)
            if one_at_a_time:
                with one_at_a_time:
                    results.append(_check_in(partner, at_risk))
            else:
                results.append(_check_in(partner, at_risk))
        except Exception as error:  # noqa: BLE001 -- handed to the test thread, which fails on it
            errors.append(error)
            raise
        finally:
            connection.close()

    threads = [threading.Thread(target=partner_clicks, args=(p,)) for p in partners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].action.pk == results[1].action.pk
    assert Action.objects.filter(client=at_risk).count() == 1


def _check_in(partner, client):
    return services.check_in(client=client, by=partner, due_on=dt.date(2026, 7, 1))
