"""The base of every API endpoint (each app's api.py), and what the schema says of the API's
authentication."""

from django.contrib.auth.decorators import login_not_required
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers, views, viewsets


class ApiView(views.APIView):
    """An endpoint that answers for itself: no redirect to the login page (the middleware's),
    but 401 in JSON when no valid token or session came with the request."""

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))


class ApiViewSet(viewsets.GenericViewSet):
    """ApiView for a set of endpoints on one kind of object, found by a numeric id."""

    lookup_value_converter = "int"

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        return login_not_required(super().as_view(actions, **initkwargs))


class Reference(serializers.Serializer):
    """Another object named in a response: its id and name."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.TokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token made on your API tokens page.",
        }
