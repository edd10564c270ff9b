import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "expected", "absent"),
    [
        ("alice", ["Clients", "Feedback triage", "Learning check"], []),
        ("pat", ["Clients", "Feedback triage", "Learning check"], []),
        ("fran", ["Clients", "Learning check"], ["Feedback triage"]),
        ("sam", ["Learning check"], ["Clients", "Feedback triage"]),
    ],
)
def test_the_navigation_shows_each_role_its_links(client, request, persona, expected, absent):
    client.force_login(request.getfixturevalue(persona))
    body = client.get(reverse("feedback:learning_check")).content.decode()
    nav = body.split('<ul class="navbar-nav me-auto">')[1].split('<ul class="navbar-nav">')[0]
    for label in expected:
        assert f">{label}</a>" in nav
    for label in absent:
        assert f">{label}</a>" not in nav
