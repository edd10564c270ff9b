"""The base of every API endpoint (each app's api.py), and what the schema says of the API's
authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers, viewsets


class ApiViewSet(viewsets.GenericViewSet):
    """Endpoints on one kind of object, found by a numeric id (anything else is a 404). DRF
    exempts its views from the login middleware: they answer 401 themselves."""

    lookup_value_converter = "int"


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
