"""orjson parsing and rendering on the recommendation endpoint: the same documents as DRF's JSON."""

import json

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from core.parsers import FastJSONParser
from core.renderers import FastJSONRenderer

pytestmark = pytest.mark.django_db

RECOMMEND = "/api/v1/recommendations/"


@pytest.fixture
def api():
    return APIClient()


def post_raw(api, body: bytes, content_type="application/json", **extra):
    return api.generic("POST", RECOMMEND, body, content_type=content_type, **extra)


def test_the_rendered_result_is_the_document_drf_would_write(api, seeded):
    response = api.post(RECOMMEND, {"answers": {"project": "ml", "needs": ["api_docs"]}}, format="json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == json.loads(JSONRenderer().render(response.data))
    assert response.content.startswith(b'{"recommended":"fastapi","ranking":[{"framework":"fastapi",')


def test_non_ascii_and_odd_types_render_like_drf():
    from decimal import Decimal

    from django.utils.translation import gettext_lazy

    data = {"name": "Ærø “quoted”", 3: [Decimal("1.5"), gettext_lazy("Close call")], "none": None}
    ours = FastJSONRenderer().render(data)

    assert ours == JSONRenderer().render(data)
    assert FastJSONRenderer().render(None) == b""


def test_validation_errors_keep_their_shape(api, seeded):
    response = api.post(RECOMMEND, {"answers": {"project": "no-such-option"}}, format="json")

    assert response.status_code == 400
    assert "answers" in response.json()


@pytest.mark.parametrize(
    "body",
    [b"{", b"NaN", b'{"answers": {"project": "ml",}}', b"\xff\xfe", b'{"weights": {"performance": 1e999}}'],
)
def test_malformed_json_is_a_400_naming_the_parse_error(api, seeded, body):
    response = post_raw(api, body)

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_nesting_past_orjsons_limit_is_the_nested_too_deeply_400(api, seeded):
    body = b'{"answers": ' + b"[" * 5000 + b"]" * 5000 + b"}"

    response = post_raw(api, body)

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_a_body_over_the_limit_is_still_a_413(api, seeded, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"answers": {}, "pad": "x" * 2000}).encode()

    response = post_raw(api, body)

    assert response.status_code == 413
    assert "larger than 1000 bytes" in response.json()["detail"]


def test_any_accept_header_gets_json(api, seeded):
    response = api.post(RECOMMEND, {"answers": {"project": "ml"}}, format="json", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_another_charset_is_decoded_by_drfs_parser(api, seeded):
    body = '{"answers": {"café": "ml"}}'.encode("latin-1")

    response = post_raw(api, body, content_type="application/json; charset=latin-1")

    assert response.status_code == 400
    assert "café" in response.content.decode()


def test_the_parser_reads_what_drfs_reads():
    import io

    body = b'{"a": [1, 2.5, "\\u00e9", true, null], "b": {"c": -0}}'
    assert FastJSONParser().parse(io.BytesIO(body)) == json.loads(body)
