"""Every operation of /api/schema/, with what schemathesis does not generate: absurd nesting,
multipart bodies past the limit, and parameters repeated or made up. Found by issue 11."""

import uuid

import pytest
from django.conf import settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from rest_framework.test import APIClient

from decisions.models import Decision

pytestmark = [pytest.mark.api_contract, pytest.mark.django_db]

DEPTH = 100_000


@pytest.fixture(params=["anonymous", "token"])
def api(request, decider, relaxed_throttles):
    client = APIClient()
    if request.param == "token":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {decider[1]}")
    return client


@pytest.fixture
def operations(client, decider, relaxed_throttles):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    decision = Decision.objects.filter(owner=decider[0]).first()
    values = {"slug": "flask", "id": str(decision.pk)}
    found = []
    for template, methods in schema["paths"].items():
        path = template
        for name, value in values.items():
            path = path.replace(f"{{{name}}}", value)
        for method, operation in methods.items():
            query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            found.append((method.upper(), path, "requestBody" in operation, query))
    assert len(found) >= 15
    return found


def test_json_nested_absurdly_deep_is_a_client_error_on_every_operation_with_a_body(api, operations):
    body = b'{"answers": ' + b"[" * DEPTH + b"]" * DEPTH + b', "title": "x"}'
    for method, path, has_body, _query in operations:
        if not has_body:
            continue
        response = api.generic(method, path, body, content_type="application/json")
        assert 400 <= response.status_code < 500, (method, path, response.status_code)
        if response.status_code == 400:
            assert "nested too deeply" in response.json()["detail"], (method, path)


def test_multipart_bodies_past_the_limit_are_413_on_every_operation(api, operations):
    body = encode_multipart(BOUNDARY, {"file": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    for method, path, _has_body, _query in operations:
        response = api.generic(method, path, body, content_type=MULTIPART_CONTENT)
        assert response.status_code == 413, (method, path, response.status_code)


def test_repeated_and_made_up_parameters_are_answered_without_a_server_error(api, operations):
    for method, path, _has_body, query in operations:
        if method != "GET":
            continue
        repeated = "&".join(f"{name}={n}" for name in query for n in (1, "x", "", "%00", 10**30))
        made_up = "&".join(f"{uuid.uuid4().hex[:6]}={uuid.uuid4().hex}" for _ in range(20))
        response = api.get(f"{path}?{repeated}&{made_up}")
        assert response.status_code < 500, (path, response.status_code)
