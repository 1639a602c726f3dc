"""Header, footer and in-page links come from portal.templatetags.navigation."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import FAQPage, GuideIndexPage

pytestmark = pytest.mark.django_db

MAIN = ["Find your framework", "Guide", "Compare", "Cheat sheet", "FAQ"]


def nav_links(html: str, label: str) -> list[tuple[str, str, str | None]]:
    """(label, href, aria-current) of every link in the <nav aria-label=label>."""
    block = re.search(rf'<nav [^>]*aria-label="{label}">(.*?)</nav>', html, re.S).group(1)
    links = []
    for attrs, text in re.findall(r"<a([^>]*)>(.*?)</a>", block, re.S):
        href = re.search(r'href="([^"]*)"', attrs).group(1)
        current = re.search(r'aria-current="([^"]*)"', attrs)
        links.append((text.strip(), href, current.group(1) if current else None))
    return links


def current_of(links) -> dict[str, str]:
    return {text: current for text, _, current in links if current}


def test_header_and_footer_list_the_same_main_sections(client, seeded):
    html = client.get("/scenarios/").content.decode()

    header = [(text, href) for text, href, _ in nav_links(html, "Main")]
    footer = [(text, href) for text, href, _ in nav_links(html, "Footer")]

    assert [text for text, _ in header] == MAIN
    assert header == [
        ("Find your framework", "/chooser/"),
        ("Guide", "/guide/"),
        ("Compare", "/compare/"),
        ("Cheat sheet", "/scenarios/"),
        ("FAQ", "/faq/"),
    ]
    assert footer == [*header, ("Sitemap", "/sitemap.xml"), ("Editors: sign in", "/admin/")]
    assert all(current is None for *_, current in nav_links(html, "Footer"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/", {}),
        ("/chooser/", {"Find your framework": "page"}),
        ("/guide/", {"Guide": "page"}),
        ("/guide/flask/", {"Guide": "true"}),
        ("/compare/", {"Compare": "page"}),
        ("/scenarios/", {"Cheat sheet": "page"}),
        ("/faq/", {"FAQ": "page"}),
        ("/search/?q=async", {}),
    ],
)
def test_the_current_section_is_marked_in_the_main_navigation(client, seeded, url, expected):
    html = client.get(url).content.decode()

    assert current_of(nav_links(html, "Main")) == expected
    brand = re.search(r'<a class="brand"[^>]*>', html).group(0)
    assert ('aria-current="page"' in brand) == (url == "/")


def test_links_follow_a_page_renamed_in_the_admin(client, seeded):
    guide = GuideIndexPage.objects.get()
    guide.slug = "handbook"
    guide.save_revision().publish()

    html = client.get("/handbook/flask/").content.decode()

    assert ("Guide", "/handbook/", "true") in nav_links(html, "Main")
    assert ("Guide", "/handbook/", None) in nav_links(html, "Footer")
    home = client.get("/").content.decode()
    assert 'href="/handbook/">Read the guide' in home
    assert 'href="/guide/"' not in home


def test_a_page_that_is_not_live_is_left_out_of_the_menus(client, seeded):
    FAQPage.objects.get().unpublish()

    html = client.get("/compare/").content.decode()

    assert [text for text, *_ in nav_links(html, "Main")] == [label for label in MAIN if label != "FAQ"]
    assert "FAQ" not in [text for text, *_ in nav_links(html, "Footer")]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/accounts/login/", {"Sign in": "page"}),
        ("/accounts/signup/", {"Sign up": "page"}),
        ("/compare/", {}),
    ],
)
def test_anonymous_readers_get_sign_in_and_sign_up(client, seeded, url, expected):
    links = nav_links(client.get(url).content.decode(), "Your account")

    assert [(text, href) for text, href, _ in links] == [
        ("Sign in", "/accounts/login/"),
        ("Sign up", "/accounts/signup/"),
    ]
    assert current_of(links) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/decisions/", {"My decisions": "page"}),
        ("/decisions/new/", {"My decisions": "true"}),
        ("/account/", {"Account": "page"}),
        ("/accounts/email/", {"Account": "true"}),
        ("/accounts/2fa/", {"Account": "true"}),
        ("/compare/", {}),
    ],
)
def test_signed_in_readers_get_their_decisions_and_account(client, seeded, user, url, expected):
    client.force_login(user)

    links = nav_links(client.get(url).content.decode(), "Your account")

    assert [(text, href) for text, href, _ in links] == [
        ("My decisions", "/decisions/"),
        ("Account", "/account/"),
    ]
    assert current_of(links) == expected


def test_header_and_footer_share_one_page_lookup(client, seeded):
    client.get("/chooser/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/chooser/")

    page_reads = [q["sql"] for q in queries if '"wagtailcore_page"' in q["sql"]]
    assert len(page_reads) == 1, page_reads


def test_templates_link_by_name_not_by_literal_path():
    literal = re.compile(r'(?:href|action|src)="/')
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if literal.search(line)
    ]
    assert offenders == []
