"""The search box, the account forms, sign-in and editors' rich text, with hostile input."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from wagtail.models import APIToken
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from portal.models import FAQPage, GuidePage
from portal.tests.helpers import sign_in_recently
from portal.tests.strategies import FUZZ, SCRIPT, hostile_text, injected_markup

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


@FUZZ
@given(query=hostile_text, page=hostile_text)
def test_search_box_never_fails_and_shows_the_query_inert(client, seeded, query, page):
    response = client.get(reverse("search"), {"q": query, "page": page})

    assert response.status_code == 200
    assert injected_markup(response.content.decode()) == []
    shown = response.context["search_query"]
    assert len(shown) <= 200
    assert all(ch.isprintable() or ch == " " for ch in shown)


def test_search_terms_in_double_quotes_still_find_pages(client, seeded):
    for query in ('"async"', '"async', 'async"support', '"'):
        response = client.get(reverse("search"), {"q": query})
        assert response.status_code == 200, query
        assert response.context["search_query"] == query
    assert any(
        p.slug == "async-support" for p in client.get(reverse("search"), {"q": '"async"'}).context["pages"]
    )


def test_search_with_raw_bytes_in_the_query_string(client, seeded):
    for query in ("q=%00", "q=%ff%fe%fd", "q=%C0%80&page=%00", "q=" + "%e2%80%ae" * 100, "q=a&q=b" * 500):
        assert client.get(f"{reverse('search')}?{query}").status_code == 200, query


@FUZZ
@given(name=hostile_text)
def test_token_name_is_saved_as_typed_or_is_a_form_error(client, user, name):
    sign_in_recently(client, user)
    before = APIToken.objects.filter(user=user).count()
    response = client.post(reverse("account"), {"action": "create-token", "name": name})

    if "\x00" in name or not name.strip() or len(name.strip()) > 80:
        assert response.status_code == 400
        assert "name" in response.context["token_form"].errors
        assert APIToken.objects.filter(user=user).count() == before
    else:
        assert response.status_code == 200
        assert APIToken.objects.filter(user=user).latest("created").name == name.strip()
    assert injected_markup(response.content.decode()) == []


@FUZZ
@given(confirm=hostile_text | st.just("DELETE"), password=hostile_text | st.just(PASSWORD))
def test_delete_account_needs_the_exact_confirmation_and_password(client, user, confirm, password):
    # Each example is a fresh minute for allauth's reauthentication limit, which has its own test.
    caches["counters"].clear()
    client.force_login(user)
    response = client.post(reverse("delete-account"), {"confirm": confirm, "password": password})

    if confirm.strip() == "DELETE" and password == PASSWORD:
        assert response.status_code == 302
        assert not get_user_model().objects.filter(pk=user.pk).exists()
        user.save()  # back for the next example
    else:
        assert response.status_code == 400
        assert response.context["delete_form"].errors
        assert get_user_model().objects.filter(pk=user.pk).exists()


def test_revoking_an_unknown_token_is_a_404(client, user):
    client.force_login(user)
    assert client.post("/account/tokens/999999/revoke/").status_code == 404
    assert client.get(f"{reverse('account')}?action=%00").status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"login": "reader@example.com\x00", "password": PASSWORD},
        {"login": "reader@example.com", "password": PASSWORD + "\x00"},
        {"login": "\x00", "password": "\x00"},
        {"login": SCRIPT, "password": "x" * 10_000},
    ],
)
def test_sign_in_with_a_nul_byte_or_huge_field_is_refused_not_a_500(client, user, data):
    response = client.post(reverse("account_login"), data)
    assert response.status_code in (200, 400)
    assert "_auth_user_id" not in client.session
    assert injected_markup(response.content.decode()) == []


@pytest.mark.parametrize(
    "data",
    [
        {"email": "new\x00@example.com", "password1": PASSWORD, "password2": PASSWORD},
        {"email": "new@example.com", "password1": PASSWORD + "\x00", "password2": PASSWORD + "\x00"},
        {"email": f"{SCRIPT}@example.com", "password1": PASSWORD, "password2": PASSWORD},
        {"email": "x" * 5000 + "@example.com", "password1": PASSWORD, "password2": PASSWORD},
    ],
)
def test_sign_up_with_a_nul_byte_or_huge_field_is_refused_not_a_500(client, db, data):
    response = client.post(reverse("account_signup"), data)
    assert response.status_code in (200, 400)
    assert not get_user_model().objects.exists()
    assert injected_markup(response.content.decode()) == []


def test_oversized_sign_in_is_refused(client, db):
    body = f"login=a%40example.com&password={'x' * 3_000_000}"
    response = client.post(reverse("account_login"), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_a_nul_byte_in_a_page_path_is_a_404_not_a_database_error(client, seeded):
    for path in ("/guide/%00/", "/%00/", "/guide/flask/%00/", "/faq/%ff%00/", "/d/%00/"):
        assert client.get(path).status_code == 404, path


# Rich text through the real Wagtail admin: what an editor can submit, not what the toolbar offers.


def contentstate(text: str, url: str, **block_data) -> str:
    """Draftail's JSON for one paragraph whose last word links to `url`."""
    return json.dumps(
        {
            "blocks": [
                {
                    "key": "a1b2c",
                    "type": "unstyled",
                    "depth": 0,
                    "text": text,
                    "inlineStyleRanges": [],
                    "entityRanges": [{"offset": len(text) - 4, "length": 4, "key": 0}],
                    "data": block_data,
                }
            ],
            "entityMap": {
                "0": {
                    "type": "LINK",
                    "mutability": "MUTABLE",
                    "data": {"url": url, "onclick": "alert(1)", "target": "_blank"},
                }
            },
        }
    )


HOSTILE_RICH_TEXT = [
    contentstate(f"{SCRIPT} <img src=x onerror=alert(1)> link", "javascript:alert(1)"),
    contentstate("Data link", "data:text/html,<script>alert(1)</script>", onclick="alert(1)"),
    contentstate("Spaced scheme link", " JaVaScRiPt:alert(1)"),
    contentstate("Quote break link", '"><script>alert(1)</script>'),
    rich_text(
        '<p onclick="alert(1)">Pasted <a href="javascript:alert(1)" onmouseover="alert(1)">link</a>'
        f'{SCRIPT}<img src="x" onerror="alert(1)"/><iframe src="javascript:alert(1)"></iframe></p>'
    ),
]


def guide_edit_data(page, blocks):
    return nested_form_data(
        {
            "title": f"{page.title} {SCRIPT}",
            "slug": page.slug,
            "summary": f'{page.summary} "><img src=x onerror=alert(1)>',
            "body": streamfield(blocks),
            "comments": inline_formset([]),
            "seo_title": "",
            "search_description": "",
            "action-publish": "action-publish",
        }
    )


def test_editor_rich_text_cannot_put_script_on_a_public_page(client, editor, seeded):
    page = GuidePage.objects.live().get(slug="flask")
    blocks = [
        ("heading", {"text": f"Heading {SCRIPT}", "anchor": ""}),
        *[("paragraph", value) for value in HOSTILE_RICH_TEXT],
        ("callout", {"title": SCRIPT, "text": HOSTILE_RICH_TEXT[0], "tone": "tip"}),
        ("points", {"title": "", "tone": "plus", "items": streamfield([("item", SCRIPT)])}),
    ]
    client.force_login(editor)

    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), guide_edit_data(page, blocks))

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    page.refresh_from_db()
    assert page.live and SCRIPT in page.title
    client.logout()
    html = client.get(page.url).content.decode()
    assert "Spaced scheme" in html and "Pasted" in html
    assert injected_markup(html) == []
    assert "<script>alert" not in html and "javascript:" not in html.lower()


def test_a_faq_question_cannot_close_the_structured_data_script(client, editor, seeded):
    faq = FAQPage.objects.live().get()
    question = f"</script>{SCRIPT}<!--"
    faq.body.append(("question", {"question": question, "anchor": "", "answer": "<p>Answer</p>"}))
    faq.save_revision(user=editor).publish()

    html = client.get(faq.url).content.decode()
    assert injected_markup(html) == []
    structured = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(structured)["mainEntity"][-1]["name"] == question
