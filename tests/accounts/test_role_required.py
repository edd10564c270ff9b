"""accounts.decorators.role_required: the one role check every app's views use."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from accounts.decorators import role_required
from accounts.models import Role
from tests.factories import UserFactory


@role_required(Role.PARTNER, Role.FACILITATOR)
def _overseers_page(request, pk):
    return HttpResponse(f"page {pk}")


def _get(user):
    request = RequestFactory().get("/somewhere/")
    request.user = user
    return _overseers_page(request, pk=7)


@pytest.mark.parametrize("persona", ["pat", "fran"])
def test_role_required_lets_people_with_one_of_the_roles_through(db, request, persona):
    response = _get(request.getfixturevalue(persona))
    assert response.content == b"page 7"


@pytest.mark.parametrize("persona", ["alice", "sam", "deactivated"])
def test_role_required_404s_for_everyone_else(db, request, persona):
    with pytest.raises(Http404):
        _get(request.getfixturevalue(persona))


def test_role_required_404s_for_a_deactivated_partner(db):
    with pytest.raises(Http404):
        _get(UserFactory(roles=[Role.PARTNER], is_active=False))


def test_role_required_404s_for_an_anonymous_visitor():
    with pytest.raises(Http404):
        _get(AnonymousUser())


def test_role_required_lets_an_admin_through(db):
    assert _get(UserFactory(is_superuser=True)).status_code == 200


def test_role_required_keeps_the_view_name():
    assert _overseers_page.__name__ == "_overseers_page"


def test_role_required_needs_a_role():
    with pytest.raises(TypeError):
        role_required()
