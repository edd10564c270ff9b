"""Shared fixtures: the fixed personas of DESIGN.md §11 and a Celery that runs tasks inline.

alice and bob are account managers (of different clients), fran facilitates, pat is a partner,
sam is plain staff. Tests that need a real worker turn eager mode off themselves.
"""

import pytest

from accounts.models import Role
from learnorg.celery import app as celery_app
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _celery_eager():
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", display_name="Alice Moreno", roles=[Role.ACCOUNT_MANAGER])


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", display_name="Bob Chen", roles=[Role.ACCOUNT_MANAGER])


@pytest.fixture
def fran(db):
    return UserFactory(username="fran", display_name="Fran Okafor", roles=[Role.FACILITATOR])


@pytest.fixture
def pat(db):
    return UserFactory(username="pat", display_name="Pat Lindqvist", roles=[Role.PARTNER])


@pytest.fixture
def sam(db):
    return UserFactory(username="sam", display_name="Sam Rivera")


@pytest.fixture
def deactivated(db):
    return UserFactory(username="gone", display_name="Former Colleague", is_active=False)
