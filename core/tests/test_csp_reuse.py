"""The Content-Security-Policy header is built once per path prefix, unless a request or view changes it."""

from csp.constants import NONCE
from django.http import HttpResponse
from django.test import RequestFactory

from core.middleware import ContentSecurityPolicyMiddleware


def middleware():
    return ContentSecurityPolicyMiddleware(lambda request: HttpResponse("ok"))


def respond(csp, path, **response_attrs):
    request = RequestFactory().get(path)
    csp.process_request(request)
    response = HttpResponse("ok")
    for name, value in response_attrs.items():
        setattr(response, name, value)
    return request, csp.process_response(request, response)


def test_a_reused_header_is_the_one_built_fresh():
    reused = middleware()
    respond(reused, "/api/v1/aspects/")
    _, second = respond(reused, "/api/v1/frameworks/")

    _, fresh = respond(middleware(), "/api/v1/frameworks/")

    assert second["Content-Security-Policy"] == fresh["Content-Security-Policy"]
    assert "default-src 'self'" in second["Content-Security-Policy"]


def test_each_path_prefix_keeps_its_own_policy():
    csp = middleware()
    _, public = respond(csp, "/compare/")
    _, admin = respond(csp, "/admin/pages/")
    _, public_again = respond(csp, "/scenarios/")

    assert "'unsafe-inline'" in admin["Content-Security-Policy"]
    assert "'unsafe-inline'" not in public["Content-Security-Policy"]
    assert public_again["Content-Security-Policy"] == public["Content-Security-Policy"]


def test_a_view_that_changes_the_policy_is_built_fresh():
    csp = middleware()
    respond(csp, "/compare/")

    _, changed = respond(csp, "/compare/", _csp_update={"img-src": ["https://images.example"]})

    assert "https://images.example" in changed["Content-Security-Policy"]
    _, plain = respond(csp, "/compare/")
    assert "https://images.example" not in plain["Content-Security-Policy"]


def test_a_request_that_used_a_nonce_is_built_fresh(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    csp = middleware()
    _, first = respond(csp, "/compare/")
    request = RequestFactory().get("/compare/")
    csp.process_request(request)
    nonce = str(request.csp_nonce)

    response = csp.process_response(request, HttpResponse("ok"))

    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert "nonce" not in first["Content-Security-Policy"]


def test_the_nonce_cannot_be_read_after_a_reused_header():
    import pytest
    from csp.exceptions import CSPNonceError

    csp = middleware()
    respond(csp, "/compare/")
    request, _ = respond(csp, "/compare/")

    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
