"""Shared fixtures: the fixed personas and a Celery that runs tasks inline.

alice and bob are account managers (of different clients), fran facilitates, pat is a partner,
sam is plain staff. Tests that need a real worker turn eager mode off themselves.
"""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import override_settings

from accounts.models import Role
from feedback.models import LossReason
from learnorg.celery import app as celery_app
from tests.factories import UserFactory

_role_groups = importlib.import_module("accounts.migrations.0002_role_groups")
_loss_taxonomy = importlib.import_module("feedback.migrations.0002_loss_taxonomy")


@pytest.fixture(autouse=True, scope="session")
def _fast_passwords():
    """Every persona and factory user gets a hashed password, and browser tests log in through
    the form: with the production hasher (a quarter of a CPU second per hash, on purpose) that
    was a large share of the suite. Subprocesses keep the real one."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Put back the rows that data migrations create (role groups, the loss taxonomy).

    Transactional tests (live_server, threads) end by flushing every table, those rows
    included, so whichever test runs next would otherwise find no roles and no reasons.
    """
    fixtures = set(request.fixturenames)
    if fixtures & {"transactional_db", "live_server"}:
        request.getfixturevalue("transactional_db")
    elif "db" in fixtures:
        request.getfixturevalue("db")
    elif request.node.get_closest_marker("django_db") is None:
        return
    if Group.objects.filter(name__in=Role.values).count() < len(Role.values):
        _role_groups.create_groups(apps, None)
    if not LossReason.objects.exists():
        _loss_taxonomy.seed_taxonomy(apps, None)


@pytest.fixture(scope="session")
def _files_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("files")


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, _files_dir):
    """Attached files go to a scratch folder, not the checkout's var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(_files_dir)},
        },
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (rendered dashboard panels, rate-limit counters):
    in CI the cache is Redis, which outlives every test's database."""
    for each in caches.all():
        each.clear()


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


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider (django-oauth-toolkit) in a process of its own, for the
    single sign-on tests; raises, never skips, if it cannot start."""
    from tests.oidc_provider.running import provider

    with provider() as running:
        yield running


@pytest.fixture
def sso(settings, oidc_provider):
    """Single sign-on on, through the test provider, for firm.example and example.com."""
    from tests.oidc_provider.running import ALLOWED_DOMAINS

    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = oidc_provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = oidc_provider.client_secret
    settings.OIDC_ALLOWED_DOMAINS = ALLOWED_DOMAINS
    settings.OIDC_BUTTON_LABEL = "Sign in with Test ID"
    return oidc_provider
