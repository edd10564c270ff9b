import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The personas' passwords are hashed on creation; the default hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
