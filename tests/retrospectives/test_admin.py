"""The author of an anonymous note is kept for abuse handling, visible to partners in admin only."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import ContributionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(alice, live_review):
    return ContributionFactory(review=live_review, author=alice, anonymous=True)


def test_a_partner_sees_who_wrote_an_anonymous_note(client, pat, note):
    pat.is_staff = True
    pat.save()
    pat.user_permissions.add(*Permission.objects.filter(codename__endswith="contribution"))
    client.force_login(pat)
    page = client.get(reverse("admin:retrospectives_contribution_change", args=[note.pk]))
    assert page.status_code == 200
    assert 'name="author"' in page.content.decode()


def test_other_admin_staff_do_not(client, note):
    staff = UserFactory(is_staff=True, is_superuser=False)
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="contribution"))
    client.force_login(staff)
    page = client.get(reverse("admin:retrospectives_contribution_change", args=[note.pk]))
    assert page.status_code == 200
    assert 'name="author"' not in page.content.decode()
    listing = client.get(reverse("admin:retrospectives_contribution_changelist"))
    assert "Alice Moreno" not in listing.content.decode()
