import pytest
from django.test import Client

from accounts import tokens


def api_client(user) -> Client:
    """A client that sends `user`'s new personal token, and no session."""
    _, secret = tokens.create_token(user=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"}, raise_request_exception=False)


@pytest.fixture
def api():
    return api_client
