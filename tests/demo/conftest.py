import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Every demo and bench user's password is hashed; the default hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
