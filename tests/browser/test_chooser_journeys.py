"""The chooser in a real browser: steps, keyboard, history, and the page without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

ML_SERVICE = "A service that serves ML models or LLM inference"
CONTENT_SITE = "A content site, blog or CMS"
API_DOCS = "Interactive API documentation"
ADMIN = "An admin interface"
HEAVY_IO = "Heavy: many external APIs, websockets or streaming"


@pytest.fixture
def console_errors(page):
    """Errors the page logs or throws; a journey ends by asserting there were none."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def progress(page):
    return page.locator("[data-chooser-progress]")


def ranking(page):
    return page.locator(".ranking__name")


def tab_to(page, target, limit=20):
    """Press Tab until `target` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if target.evaluate("node => node === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def next_step(page):
    return page.locator(".chooser-step:not([hidden])").get_by_role("button", name="Next")


def test_keyboard_only_reader_gets_a_recommendation_and_a_shareable_link(page, browser, site, console_errors):
    page.goto(site + "/chooser/")
    expect(progress(page)).to_have_text("Step 1 of 6")
    keyboard = page.keyboard

    keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    keyboard.press("Enter")
    tab_to(page, page.get_by_label("A SaaS, marketplace or product"))
    for _ in range(3):
        keyboard.press("ArrowDown")
    expect(page.get_by_label(ML_SERVICE)).to_be_checked()
    tab_to(page, next_step(page))
    keyboard.press("Enter")

    expect(progress(page)).to_have_text("Step 2 of 6")
    tab_to(page, page.get_by_label(API_DOCS))
    keyboard.press("Space")
    expect(page.get_by_label(API_DOCS)).to_be_checked()
    tab_to(page, next_step(page))
    keyboard.press("Enter")

    expect(progress(page)).to_have_text("Step 3 of 6")
    keyboard.press("Tab")
    keyboard.press("ArrowDown")
    expect(page.get_by_label(HEAVY_IO)).to_be_checked()
    for step in (4, 5, 6):
        tab_to(page, next_step(page))
        keyboard.press("Enter")
        expect(progress(page)).to_have_text(f"Step {step} of 6")
    expect(page.get_by_role("button", name="Next")).to_have_count(0)

    tab_to(page, page.get_by_role("button", name="See my recommendation"))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name="We recommend FastAPI")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/chooser/\?project=ml&needs=api_docs&io=heavy#result$"))
    expect(page.locator("[data-chooser-result]")).to_be_focused()
    expect(page).to_have_title(re.compile("^Your recommendation"))
    expect(page.locator("#chooser-form")).to_be_hidden()
    order = ranking(page).all_inner_texts()
    assert order[0] == "FastAPI"
    assert sorted(order) == ["Django", "FastAPI", "Flask", "Litestar", "Quart"]

    # The shared link, opened afresh, is rendered by the server to the same result.
    context = browser.new_context()
    try:
        shared = context.new_page()
        response = shared.goto(page.url)
        assert response.status == 200
        expect(shared.get_by_role("heading", name="We recommend FastAPI")).to_be_visible()
        expect(ranking(shared)).to_have_text(order)
        expect(shared.get_by_label(ML_SERVICE)).to_be_checked()
    finally:
        context.close()
    assert console_errors == []


def test_back_keeps_the_answer_to_the_previous_step(page, site, console_errors):
    page.goto(site + "/chooser/")
    page.get_by_label(CONTENT_SITE).check()
    page.get_by_role("button", name="Next").click()
    expect(progress(page)).to_have_text("Step 2 of 6")
    expect(page.get_by_label(CONTENT_SITE)).to_be_hidden()

    page.get_by_role("button", name="Back").click()
    expect(progress(page)).to_have_text("Step 1 of 6")
    expect(page.get_by_label(CONTENT_SITE)).to_be_checked()

    # The skip link adds a #main history entry; that must not reset the chooser.
    page.get_by_role("link", name="Skip to content").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(site + "/chooser/#main")
    expect(page.get_by_label(CONTENT_SITE)).to_be_checked()
    expect(progress(page)).to_have_text("Step 1 of 6")
    assert console_errors == []


def test_browser_history_change_answers_and_start_again(page, site, console_errors):
    page.goto(site + "/chooser/")
    page.get_by_label(CONTENT_SITE).check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label(ADMIN).check()
    page.get_by_role("button", name="See my recommendation").click()
    expect(page.get_by_role("heading", name="We recommend Django")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?project=content&needs=admin#result$"))

    # Back returns to the questions with the answers kept; Forward brings the result back.
    page.go_back()
    expect(page).to_have_url(site + "/chooser/")
    expect(page.get_by_role("heading", name="We recommend Django")).to_have_count(0)
    expect(page.get_by_label(ADMIN)).to_be_checked()
    page.go_forward()
    expect(page.get_by_role("heading", name="We recommend Django")).to_be_visible()

    page.get_by_role("link", name="Change answers").click()
    expect(progress(page)).to_have_text("Step 1 of 6")
    expect(page.get_by_label(CONTENT_SITE)).to_be_checked()
    page.get_by_label(ML_SERVICE).check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label(ADMIN)).to_be_checked()
    page.get_by_label(ADMIN).uncheck()
    page.get_by_role("button", name="See my recommendation").click()
    expect(page.get_by_role("heading", name="We recommend FastAPI")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?project=ml#result$"))

    page.get_by_role("link", name="Start again").click()
    expect(page).to_have_url(site + "/chooser/")
    expect(page.locator("[data-chooser-result]")).to_be_empty()
    expect(progress(page)).to_have_text("Step 1 of 6")
    expect(page.get_by_label(ML_SERVICE)).not_to_be_checked()

    page.go_back()
    expect(page.get_by_role("heading", name="We recommend FastAPI")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="We recommend Django")).to_be_visible()
    expect(page.get_by_label(CONTENT_SITE)).to_be_checked()
    assert console_errors == []


def test_without_javascript_the_form_posts_to_a_shareable_result(browser, site):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + "/chooser/")
        questions = page.locator("#chooser-form").get_by_role("group")
        expect(questions).to_have_count(6)
        for index in range(6):
            expect(questions.nth(index)).to_be_visible()
        expect(page.get_by_role("button", name="Next")).to_have_count(0)

        page.get_by_label(CONTENT_SITE).check()
        page.get_by_label(ADMIN).check()
        page.get_by_role("button", name="See my recommendation").click()
        expect(page).to_have_url(re.compile(r"/chooser/\?project=content&needs=admin(&[^#]*)?#result$"))
        expect(page.get_by_role("heading", name="We recommend Django")).to_be_visible()
        expect(page.get_by_label(ADMIN)).to_be_checked()
    finally:
        context.close()


def test_a_bad_shared_link_shows_the_error_and_the_form_still_works(page, site):
    response = page.goto(site + "/chooser/?project=spaceship")
    assert response.status == 400
    error = page.get_by_role("alert")
    expect(error).to_contain_text("Unknown option “spaceship”")

    page.get_by_label(ML_SERVICE).check()
    page.get_by_role("button", name="See my recommendation").click()
    expect(page.get_by_role("heading", name="We recommend FastAPI")).to_be_visible()
    expect(error).to_have_count(0)


def test_home_page_and_header_lead_to_the_chooser(page, site):
    page.goto(site + "/")
    page.get_by_role("link", name=re.compile(r"^Answer a few questions")).click()
    expect(page).to_have_url(site + "/chooser/")
    nav = page.get_by_role("navigation", name=re.compile("main", re.I))
    expect(nav.get_by_role("link", name="Find your framework")).to_have_attribute("aria-current", "page")


def test_screenshots_of_the_chooser(page, phone, site, screenshot_dir):
    # No smooth scrolling to #result, so the pictures never catch it halfway.
    page.emulate_media(reduced_motion="reduce")
    phone.emulate_media(reduced_motion="reduce")
    page.goto(site + "/chooser/")
    expect(progress(page)).to_have_text("Step 1 of 6")
    page.screenshot(path=screenshot_dir / "chooser.png")

    page.goto(site + "/chooser/?project=api&needs=auth&must=auth&team=small_fast&priority=ship_fast#result")
    expect(page.get_by_role("heading", name=re.compile("^We recommend"))).to_be_in_viewport()
    page.screenshot(path=screenshot_dir / "chooser-result.png")

    phone.goto(site + "/chooser/?project=ml&needs=api_docs&io=heavy#result")
    expect(phone.get_by_role("heading", name="We recommend FastAPI")).to_be_in_viewport()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.screenshot(path=screenshot_dir / "chooser-result-phone.png")
    assert (screenshot_dir / "chooser-result.png").stat().st_size > 10_000
