"""The OpenAPI schema at /api/schema/ is valid OpenAPI, names every endpoint under /api/v1/, and
its docs page loads only files from this site."""

import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openapi_spec_validator import validate


def _schema(client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _api_routes(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    """Every route under /api/v1/, as OpenAPI writes it (/api/v1/clients/{id}/)."""
    routes = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes |= _api_routes(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            routes.add("/" + route.replace("<int:pk>", "{id}"))
    return routes


def test_schema_is_valid_openapi(api, alice):
    validate(_schema(api(alice)))


def test_schema_lists_every_api_route(api, alice):
    paths = set(_schema(api(alice))["paths"])
    routes = _api_routes()
    assert len(routes) > 10
    assert sorted(routes - paths) == []


def test_schema_says_how_to_authenticate(api, alice):
    schema = _schema(api(alice))
    scheme = schema["components"]["securitySchemes"]["personalToken"]
    assert scheme == {"type": "http", "scheme": "bearer", "description": scheme["description"]}


def test_schema_keeps_the_clients_words_apart_from_the_teams_hypothesis(api, alice):
    detail = _schema(api(alice))["components"]["schemas"]["InterviewDetail"]["properties"]
    assert {"client_words", "team_hypothesis"} <= set(detail)


def test_docs_page_loads_its_files_from_this_site(client, alice):
    client.force_login(alice)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<style" not in page and "<script>" not in page
    assert "https://" not in page and "//cdn" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        path = f"drf_spectacular_sidecar/swagger-ui-dist/{asset}"
        assert f"{settings.STATIC_URL}{path}" in page or f"/{settings.STATIC_URL}{path}" in page
        assert finders.find(path), asset
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_schema_documents_every_refusal_an_operation_can_answer(api, alice):
    operations = [
        (path, method, operation)
        for path, methods in _schema(api(alice))["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) > 15
    for path, method, operation in operations:
        statuses = set(operation["responses"])
        assert {"401", "404", "429"} <= statuses, (method, path)
        if "requestBody" in operation:
            assert {"400", "415"} <= statuses, (method, path)
        refusal = operation["responses"]["404"]["content"]["application/json"]["schema"]
        assert refusal == {"$ref": "#/components/schemas/Error"}


def test_an_unknown_api_address_answers_json_not_the_sites_page(api, alice):
    response = api(alice).post("/api/v1/nothing-here/", {}, content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert api(alice).get("/api/v1/clients/null,null/").status_code == 404
    assert Client().get("/api/v2/clients/").status_code == 401
