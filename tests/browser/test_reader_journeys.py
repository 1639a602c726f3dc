"""A reader's journeys through the guide and the matrix, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_reader_goes_from_home_to_guide_to_a_two_framework_comparison(page, site):
    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("table").first).to_contain_text("Excellent (async)")

    page.get_by_role("navigation", name=re.compile("main", re.I)).get_by_role("link", name="Guide").click()
    expect(page).to_have_url(site + "/guide/")
    page.get_by_role("link", name=re.compile("^Flask")).first.click()
    expect(page).to_have_url(site + "/guide/flask/")
    toc = page.get_by_role("navigation", name="On this page")
    toc.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/guide/flask/#[\w-]+$"))

    page.goto(site + "/compare/")
    page.get_by_label("Django", exact=True).uncheck()
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"/compare/\?(.*&)?fw=flask&fw=fastapi"))
    header = page.locator("table.matrix thead")
    expect(header).to_contain_text("Flask")
    expect(header).to_contain_text("FastAPI")
    expect(header).not_to_contain_text("Django")
    expect(page.locator("#aspect-performance")).to_contain_text("Excellent (async)")


def test_rating_note_expands_with_the_keyboard(page, site):
    page.goto(site + "/compare/?fw=django")
    summary = page.locator("#aspect-performance .matrix__why summary").first
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#aspect-performance details.matrix__why").first).to_have_attribute("open", "")


def test_compare_works_on_a_phone(phone, site):
    phone.goto(site + "/compare/?fw=flask&fw=fastapi")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    # The page itself must not scroll sideways; only the table region may.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1


def test_screenshots_of_the_main_pages(page, phone, site, screenshot_dir):
    for name, path in [
        ("home", "/"),
        ("guide", "/guide/flask/"),
        ("compare", "/compare/?fw=flask&fw=fastapi"),
        ("scenarios", "/scenarios/"),
        ("faq", "/faq/"),
    ]:
        page.goto(site + path)
        page.screenshot(path=screenshot_dir / f"{name}.png", full_page=False)
    phone.emulate_media(reduced_motion="reduce")  # no smooth scrolling halfway into the picture
    phone.goto(site + "/compare/")
    # The table at the top of the screen, scrolled a little so its header is seen staying.
    phone.locator(".table-scroll").evaluate(
        "el => { el.scrollIntoView({block: 'start'}); el.scrollTop = 240; }"
    )
    phone.screenshot(path=screenshot_dir / "compare-phone.png")
    assert (screenshot_dir / "home.png").stat().st_size > 10_000
