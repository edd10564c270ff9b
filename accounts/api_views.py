"""The base of every API endpoint (each app's api.py), and what the schema says of the API's
authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, serializers, views, viewsets


class ApiViewSet(viewsets.GenericViewSet):
    """Endpoints on one kind of object, found by a numeric id (anything else is a 404). DRF
    exempts its views from the login middleware: they answer 401 themselves."""

    lookup_value_converter = "int"


class Text(serializers.CharField):
    """Text sent to the API: a JSON string, not a number or a true that DRF would turn into one
    (the schema says string, and a client sending 0 for a comment has a bug to hear about)."""

    default_error_messages = {"invalid": "Send text (a JSON string)."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


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


class UnknownEndpoint(views.APIView):
    """Any other address under /api/: a JSON 404 for a person with a token (401 without one),
    not the site's HTML page."""

    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound()


MESSAGES = {"type": "array", "items": {"type": "string"}}
ERROR = {
    "type": "object",
    "description": "What went wrong: `detail`, or the messages by field that failed a check.",
    "properties": {"detail": {"oneOf": [{"type": "string"}, MESSAGES]}},
    # A field's messages; for a list, its items' messages by position ({"0": ["…"]}).
    "additionalProperties": {
        "oneOf": [MESSAGES, {"type": "object", "additionalProperties": MESSAGES}]
    },
}
REFUSALS = {
    "400": "A value failed a check (messages by field), or a service refused the change.",
    "401": "No token, or a revoked one, or one of someone deactivated.",
    "404": "No such object among those you may see, or not an endpoint for your role.",
    "415": "The body is not JSON.",
    "429": "Past API_RATE_LIMIT: try again after Retry-After seconds.",
}


def document_refusals(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the refusals it can
    answer, so that a client knows every status it may get (not only the success)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            takes_input = "requestBody" in operation or operation.get("parameters")
            statuses = ["401", "404", "429"]
            statuses += ["400"] if takes_input else []
            statuses += ["415"] if "requestBody" in operation else []
            for status in statuses:
                operation["responses"].setdefault(
                    status, {"description": REFUSALS[status], "content": body}
                )
    return result
