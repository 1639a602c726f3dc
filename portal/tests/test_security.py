"""Issue 11: what a security review and a hostile client found, each a 4xx or a safe default now."""

import io
import json
import uuid

import pytest
import redis
from allauth.account.signals import password_reset, password_set
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.http import multipartparser
from django.test import override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient
from wagtail.models import APIToken, PageViewRestriction

from core import health
from decisions.tests.factories import make_decision
from portal.models import GuidePage
from portal.tests.helpers import sign_in_recently
from portal.tests.strategies import FUZZ, hostile_text
from portal.tests.test_production import run_in_production

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
LIMIT = 2_621_440  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE, the project's body limit
PUBLIC_POST_PATHS = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/chooser/",
    "/api/v1/recommendations/",
    "/api/v1/decisions/",
]


@pytest.fixture
def parsed(monkeypatch):
    """Every multipart parse of the request, recorded: a refused body must never get there."""
    calls = []
    original = multipartparser.MultiPartParser.parse

    def parse(self):
        calls.append(self._content_length)
        return original(self)

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", parse)
    return calls


def multipart_body(size: int, **fields) -> bytes:
    return encode_multipart(BOUNDARY, {**fields, "upload": SimpleUploadedFile("big.bin", b"x" * size)})


def chunked(client, path, body: bytes, content_type: str):
    """A body sent with Transfer-Encoding: chunked, de-chunked by the server and without Content-Length."""
    return client.generic(
        "POST",
        path,
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True},
    )


# 2. Multipart and chunked bodies meet the body limit before anything parses them.


def test_a_large_multipart_post_to_sign_in_is_413_and_never_parsed(client, parsed, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body = multipart_body(5 * 1024 * 1024, login="a@example.com", password="x")

    response = client.generic("POST", reverse("account_login"), body, content_type=MULTIPART_CONTENT)

    assert response.status_code == 413
    assert parsed == []
    assert list(tmp_path.iterdir()) == []


def test_a_small_multipart_sign_in_is_still_read(client, user, parsed):
    body = multipart_body(10, login="reader@example.com", password=PASSWORD)

    response = client.generic("POST", reverse("account_login"), body, content_type=MULTIPART_CONTENT)

    assert response.status_code == 302
    assert parsed  # the form was read, under the limit


def test_a_chunked_multipart_post_must_state_its_length(client, parsed):
    body = multipart_body(5 * 1024 * 1024, login="a@example.com", password="x")

    response = chunked(client, reverse("account_login"), body, MULTIPART_CONTENT)

    assert response.status_code == 411
    assert parsed == []


def test_a_chunked_body_over_the_limit_is_413_and_under_it_is_read(client, seeded):
    too_big = chunked(client, "/api/v1/recommendations/", b" " * (LIMIT + 1), "application/json")
    assert too_big.status_code == 413

    body = json.dumps({"answers": {"project": "ml"}}).encode()
    response = chunked(client, "/api/v1/recommendations/", body, "application/json")
    assert response.status_code == 200
    assert response.json()["recommended"]


@override_settings(MULTIPART_UPLOAD_MAX_SIZE=4 * 1024 * 1024)
@pytest.mark.parametrize("path", ["/admin/images/multiple/add/", "/admin/documents/multiple/add/"])
def test_only_the_admin_upload_urls_take_larger_multipart_bodies_up_to_their_cap(
    client, editor, parsed, path
):
    anonymous = client.generic("POST", path, multipart_body(3 * 1024 * 1024), content_type=MULTIPART_CONTENT)
    assert anonymous.status_code == 413  # nobody signed out gets a large body parsed
    assert parsed == []

    client.force_login(editor)
    upload = encode_multipart(BOUNDARY, {"files[]": SimpleUploadedFile("notes.txt", b"x" * 3 * 1024 * 1024)})
    under_cap = client.generic("POST", path, upload, content_type=MULTIPART_CONTENT)
    assert under_cap.status_code == 200  # the admin's own answer to the upload
    over_cap = client.generic("POST", path, multipart_body(5 * 1024 * 1024), content_type=MULTIPART_CONTENT)
    assert over_cap.status_code == 413

    elsewhere = client.generic(
        "POST", "/admin/pages/", multipart_body(3 * 1024 * 1024), content_type=MULTIPART_CONTENT
    )
    assert elsewhere.status_code == 413


@FUZZ
@given(
    path=st.sampled_from(PUBLIC_POST_PATHS),
    size=st.sampled_from([0, 1, 1000, LIMIT - 1000, LIMIT + 1, 2 * LIMIT]),
    fields=st.dictionaries(
        st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8), hostile_text, max_size=4
    ),
    send_chunked=st.booleans(),
)
def test_multipart_bodies_on_every_public_post_path_are_refused_or_answered(
    client, seeded, parsed, path, size, fields, send_chunked
):
    parsed.clear()
    body = multipart_body(size, **{name: value.replace("\x00", "") for name, value in fields.items()})

    if send_chunked:
        response = chunked(client, path, body, MULTIPART_CONTENT)
    else:
        response = client.generic("POST", path, body, content_type=MULTIPART_CONTENT)

    if send_chunked:
        assert response.status_code == 411
    elif len(body) > LIMIT:
        assert response.status_code == 413
    else:
        assert response.status_code < 500
    if response.status_code in (411, 413):
        assert parsed == []


# 3. A page made private leaves the anonymous page cache at once.


def test_a_password_restriction_on_a_cached_page_applies_to_the_next_anonymous_reader(client, seeded):
    page = GuidePage.objects.get(slug="django")
    client.get(page.url)
    assert client.get(page.url)["X-Page-Cache"] == "hit"

    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="letmein"
    )
    response = client.get(page.url)

    assert response.status_code == 200
    assert response.get("X-Page-Cache") != "hit"
    assert 'name="password"' in response.content.decode()
    assert page.summary not in response.content.decode()

    restriction.delete()
    assert 'name="password"' not in client.get(page.url).content.decode()


def test_a_sign_in_restriction_on_a_cached_page_sends_readers_to_sign_in(client, seeded):
    page = GuidePage.objects.get(slug="flask")
    client.get(page.url)
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)

    response = client.get(page.url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# 4. Random query values and headers add no cache entries; counters live apart.


def default_cache_size() -> int:
    return len(caches["default"]._cache)


def test_random_compare_selections_are_rendered_but_not_stored(client, seeded):
    client.get("/compare/?fw=flask")
    before = default_cache_size()

    for _ in range(20):
        response = client.get(f"/compare/?fw={uuid.uuid4().hex}&diff={uuid.uuid4().hex[:4]}")
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
    response = client.get("/compare/?fw=flask&diff=2")
    assert "X-Page-Cache" not in response

    assert default_cache_size() == before


def test_repeated_and_reordered_selections_share_one_entry(client, seeded):
    client.get("/compare/?fw=django&fw=flask&diff=1")
    before = default_cache_size()

    for query in ("fw=flask&fw=django&diff=1", "fw=flask&fw=flask&fw=django&diff=1&diff=1"):
        assert client.get(f"/compare/?{query}")["X-Page-Cache"] == "hit", query
    assert default_cache_size() == before


def test_content_api_reads_key_only_on_what_the_view_uses(client, seeded):
    first = client.get("/api/v1/matrix/")
    before = default_cache_size()

    for _ in range(20):
        response = client.get(
            f"/api/v1/matrix/?{uuid.uuid4().hex}={uuid.uuid4().hex}",
            HTTP_ACCEPT=f"application/json; indent={len(str(uuid.uuid4()))}; x={uuid.uuid4().hex}",
        )
        assert response.status_code == 200
    again = client.get("/api/v1/matrix/?page=1&page=2", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert default_cache_size() == before


def test_throttle_and_sign_in_counters_live_in_the_counters_cache(client, seeded):
    client.post("/api/v1/recommendations/", {"answers": {}}, content_type="application/json")
    client.post(reverse("account_login"), {"login": "nobody@example.com", "password": "wrong-password-1"})

    counters = " ".join(caches["counters"]._cache)
    assert "throttle_anon" in counters
    assert "login_failed" in counters
    assert "throttle" not in " ".join(caches["default"]._cache)


COUNTERS_DB, CACHE_DB = "redis://127.0.0.1:6379/12", "redis://127.0.0.1:6379/11"
TWO_REDIS = {
    "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": CACHE_DB},
    "counters": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": COUNTERS_DB},
}


@pytest.fixture
def two_redis():
    servers = redis.Redis.from_url(CACHE_DB), redis.Redis.from_url(COUNTERS_DB)
    for server in servers:
        server.flushdb()
    yield servers
    for server in servers:
        server.flushdb()


@override_settings(CACHES=TWO_REDIS)
def test_a_flooded_cache_redis_leaves_the_counters_redis_alone(client, seeded, two_redis):
    cache_server, counters_server = two_redis
    client.post("/api/v1/recommendations/", {"answers": {}}, content_type="application/json")
    client.post(reverse("account_login"), {"login": "nobody@example.com", "password": "wrong-password-1"})
    client.get("/compare/")

    counter_keys = " ".join(key.decode() for key in counters_server.keys("*"))
    cache_keys = " ".join(key.decode() for key in cache_server.keys("*"))
    assert "throttle_anon" in counter_keys and "login_failed" in counter_keys
    assert "throttle" not in cache_keys and "login_failed" not in cache_keys
    assert "page:" in cache_keys

    cache_server.flushdb()  # what an evicting, flooded cache does at worst
    assert counters_server.keys("*throttle_anon*")


# 5. JSON nested absurdly deep is a 400, not a RecursionError.


def nested(depth: int) -> bytes:
    return b'{"answers": ' + b"[" * depth + b"]" * depth + b"}"


def test_a_json_body_nested_100000_deep_is_a_400(client, seeded, user):
    response = client.post("/api/v1/recommendations/", nested(100_000), content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]

    _token, key = APIToken.create_token(user=user, name="deep")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    deep = b'{"title": "x", "answers": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert api.generic("POST", "/api/v1/decisions/", deep, content_type="application/json").status_code == 400


@FUZZ
@given(depth=st.integers(min_value=1, max_value=150_000), bracket=st.sampled_from([b"[", b'{"a":']))
def test_json_nesting_of_any_depth_is_answered_with_a_400(client, seeded, depth, bracket):
    closing = b"]" if bracket == b"[" else b"}"
    body = b'{"answers": ' + bracket * depth + b"1" * (bracket != b"[") + closing * depth + b"}"

    response = client.post("/api/v1/recommendations/", body, content_type="application/json")

    assert response.status_code == 400


# 6. Deleting the account is no password oracle.


def test_a_wrong_confirmation_says_nothing_about_the_password(client, user, monkeypatch):
    checked = []
    original = get_user_model().check_password
    monkeypatch.setattr(
        get_user_model(), "check_password", lambda self, raw: checked.append(raw) or original(self, raw)
    )
    client.force_login(user)

    answers = [
        client.post(reverse("delete-account"), {"confirm": "delete", "password": password})
        for password in (PASSWORD, "not-the-password")
    ]

    assert [a.status_code for a in answers] == [400, 400]
    assert [dict(a.context["delete_form"].errors) for a in answers] == [
        {"confirm": ["Type DELETE in capitals to confirm."]}
    ] * 2
    assert checked == []


def test_password_attempts_to_delete_the_account_are_rate_limited(client, user):
    client.force_login(user)
    codes = [
        client.post(reverse("delete-account"), {"confirm": "DELETE", "password": f"guess-{n}"}).status_code
        for n in range(10)
    ]
    assert codes == [400] * 10

    response = client.post(reverse("delete-account"), {"confirm": "DELETE", "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert get_user_model().objects.filter(pk=user.pk).exists()


# 7. The example SECRET_KEY, or a weak one, does not start production.


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("change-me-to-a-long-random-string", "placeholder"),
        ("django-insecure-" + "abcdefghij" * 5, "placeholder"),
        ("a-random-but-short-key-9f3k", "at least 50 characters"),
        ("ab12" * 20, "5 different ones"),
    ],
)
def test_production_refuses_a_placeholder_or_weak_secret_key(tmp_path, key, message):
    result = run_in_production(tmp_path, "print('started')", SECRET_KEY=key)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


HSTS = """
from django.test import Client
response = Client().get("/robots.txt", HTTP_HOST="stackfit.example", secure=True)
print(json.dumps(response["Strict-Transport-Security"]))
"""


@pytest.mark.parametrize(("variable", "preload"), [({}, False), ({"HSTS_PRELOAD": "1"}, True)])
def test_hsts_preload_is_opt_in(tmp_path, variable, preload):
    result = run_in_production(tmp_path, HSTS, **variable)

    assert result.returncode == 0, result.stderr
    header = json.loads(result.stdout.strip().splitlines()[-1])
    assert "max-age=31536000" in header
    assert ("preload" in header) is preload


# Private responses are never stored; request ids; tokens; /readyz.


@pytest.mark.parametrize(
    "url", ["/account/", "/decisions/", "/accounts/email/", "/accounts/password/change/", "/compare/"]
)
def test_every_signed_in_page_says_no_store(client, user, seeded, url):
    assert "no-store" not in client.get("/compare/").get("Cache-Control", "")
    client.force_login(user)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_the_decisions_api_and_a_new_token_say_no_store(client, user, seeded):
    make_decision(user)
    _token, key = APIToken.create_token(user=user, name="CI")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/decisions/")["Cache-Control"] == "no-store"

    sign_in_recently(client, user)
    response = client.post(reverse("account"), {"action": "create-token", "name": "new"})
    assert response.context["new_token"]
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("value", ["abc-123\n", "abc-123\r\nSet-Cookie: x=1", "\nabc", "a" * 65])
def test_a_request_id_is_kept_only_when_the_whole_value_is_plain(client, value):
    echoed = client.get("/robots.txt", HTTP_X_REQUEST_ID=value)["X-Request-ID"]
    assert echoed != value and len(echoed) == 32


def test_creating_a_token_asks_for_the_password_again(client, user):
    client.force_login(user)

    response = client.post(reverse("account"), {"action": "create-token", "name": "CI"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not APIToken.objects.exists()
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    created = client.post(reverse("account"), {"action": "create-token", "name": "CI"})
    assert created.context["new_token"]
    assert APIToken.objects.filter(user=user, revoked_at__isnull=True).count() == 1


def usable_tokens(user) -> int:
    return APIToken.objects.filter(user=user, revoked_at__isnull=True).count()


def test_changing_the_password_revokes_every_api_token(client, user):
    _token, key = APIToken.create_token(user=user, name="CI")
    APIToken.create_token(user=user, name="laptop")
    sign_in_recently(client, user)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "a-new-long-password-2", "password2": "a-new-long-password-2"},
    )

    assert response.status_code == 302
    assert usable_tokens(user) == 0
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/decisions/").status_code == 401


@pytest.mark.parametrize("signal", [password_reset, password_set])
def test_a_password_reset_or_set_revokes_every_api_token(user, django_user_model, signal):
    other = django_user_model.objects.create_user("other", "other@example.com", PASSWORD)
    APIToken.create_token(user=user, name="CI")
    APIToken.create_token(user=other, name="theirs")

    signal.send(sender=type(user), request=None, user=user)

    assert usable_tokens(user) == 0
    assert usable_tokens(other) == 1


def test_a_password_reset_through_allauth_revokes_every_api_token(client, user, mailoutbox):
    APIToken.create_token(user=user, name="CI")
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = next(line for line in mailoutbox[-1].body.splitlines() if "/password/reset/key/" in line).strip()
    form_page = client.get(link, follow=True)
    new = "a-new-long-password-3"

    client.post(form_page.request["PATH_INFO"], {"password1": new, "password2": new})

    user.refresh_from_db()
    assert user.check_password(new)
    assert usable_tokens(user) == 0


class BrokenConnection:
    def cursor(self):
        raise OperationalError('connection to server at "10.0.0.7", port 5432 failed: secret detail')


def test_readyz_names_what_is_down_and_nothing_about_why(client, monkeypatch, caplog):
    monkeypatch.setattr(health, "connections", {"default": BrokenConnection()})

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "down", "cache": "ok"},
        "down": ["database"],
    }
    body = response.content.decode()
    assert "OperationalError" not in body and "10.0.0.7" not in body and "secret" not in body
    assert "database: OperationalError" in caplog.text  # the operator's log keeps the reason
