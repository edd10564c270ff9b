"""The rules of a client's loss live on the model, so every way in (the client form, the CSV
import, Django admin) refuses the same things."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from feedback.models import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "lost"}, "Say when the client was lost."),
        (
            {
                "status": "lost",
                "client_since": dt.date(2020, 1, 1),
                "lost_on": dt.date(2019, 6, 30),
            },
            "The loss date is before the client joined.",
        ),
    ],
)
def test_a_client_refuses_a_loss_without_a_date_or_before_client_since(fields, message):
    with pytest.raises(ValidationError) as refused:
        Client(name="Cedar Bakery", **fields).full_clean()
    assert refused.value.message_dict["lost_on"] == [message]


def test_a_client_accepts_a_loss_with_its_date():
    Client(
        name="Cedar Bakery",
        status="lost",
        client_since=dt.date(2019, 1, 1),
        lost_on=dt.date(2024, 5, 1),
    ).full_clean()


def test_the_admin_refuses_a_loss_without_a_date(admin_client):
    response = admin_client.post(
        reverse("admin:feedback_client_add"),
        {"name": "Cedar Bakery", "status": "lost", "annual_fees": "0"},
    )
    assert response.status_code == 200
    assert "Say when the client was lost." in response.content.decode()
    assert not Client.objects.exists()
