"""Chooser 2.0 in a real browser: must-haves rule frameworks out, Fine-tune moves the ranking,
with JavaScript and without, and the permalink brings the same result back."""

import contextlib
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

API_PROJECT = "An API for a single-page or mobile app"


@pytest.fixture
def console_errors(page):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def eligible(page):
    return page.locator(".chooser-result > .ranking .ranking__name")


def ruled_out(page):
    return page.locator(".chooser-ruled-out .ranking__name")


def tune(page, **weights):
    details = page.locator("details.chooser-finetune")
    if not details.evaluate("node => node.open"):
        page.get_by_text("Fine-tune: your own weights").click()
    for aspect, value in weights.items():
        page.locator(f"#weight-{aspect}").select_option(str(value))


def test_marking_a_must_have_rules_frameworks_out(page, site, console_errors):
    page.goto(site + "/chooser/")
    page.get_by_label(API_PROJECT).check()
    page.get_by_role("button", name="Next").click()
    must = page.locator("#must-admin")
    expect(must).to_be_visible()
    # Keyboard: the control is a checkbox of its own, beside the need.
    must.focus()
    page.keyboard.press("Space")
    expect(must).to_be_checked()
    expect(page.locator("#needs-admin")).to_be_checked()  # a must-have is a need too
    page.get_by_role("button", name="Update the result").click()

    expect(page.get_by_role("heading", name=re.compile("^We recommend"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"project=api&needs=admin&must=admin#result$"))
    expect(page.get_by_role("heading", name="Ruled out")).to_be_visible()
    expect(ruled_out(page).first).to_be_visible()
    expect(page.locator(".ranking__item--ruled-out .ruled-out-reasons").first).to_contain_text(
        "no companion covers it"
    )
    # Eligible frameworks come first, the ruled-out ones after the heading.
    assert eligible(page).count() >= 1
    assert console_errors == []


def test_fine_tune_changes_the_ranking_with_javascript_and_the_permalink_keeps_it(page, site, console_errors):
    page.emulate_media(reduced_motion="reduce")
    page.goto(site + "/chooser/?needs=admin#result")
    expect(eligible(page).first).to_have_text("Django")
    expect(page.locator("details.chooser-finetune")).not_to_have_attribute("open", "")

    tune(page, admin=-3, performance=3, **{"async": 3})
    expect(eligible(page).first).not_to_have_text("Django")
    expect(page).to_have_url(re.compile(r"weight_performance=3"))
    expect(page).to_have_url(re.compile(r"weight_admin=-3"))
    expect(page).to_have_url(re.compile(r"weight_async=3"))
    # Each change fetches; read the ranking only once the last answer has been painted.
    expect(page.locator("[data-chooser-result]")).not_to_have_attribute("aria-busy", "true")
    winner = eligible(page).first.inner_text()
    order = eligible(page).all_inner_texts()

    page.reload()
    expect(eligible(page)).to_have_text(order)
    expect(eligible(page).first).to_have_text(winner)
    expect(page.locator("#weight-admin")).to_have_value("-3")
    expect(page.locator("details.chooser-finetune")).to_have_attribute("open", "")
    assert console_errors == []


def test_fine_tune_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + "/chooser/?needs=admin")
        expect(eligible(page).first).to_have_text("Django")
        tune(page, admin=-3, performance=3, **{"async": 3})
        page.get_by_role("button", name="Update the result").click()
        expect(page).to_have_url(
            re.compile(r"\?needs=admin&weight_performance=3&weight_async=3&weight_admin=-3#result$")
        )
        expect(eligible(page).first).not_to_have_text("Django")
        expect(page.locator("#weight-performance")).to_have_value("3")

        # The permalink, opened afresh, renders the same ranking.
        order = eligible(page).all_inner_texts()
        page.goto(page.url)
        expect(eligible(page)).to_have_text(order)
    finally:
        context.close()


def test_a_must_have_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + "/chooser/")
        page.get_by_label(API_PROJECT).check()
        page.locator("#needs-admin").check()
        page.locator("#must-admin").check()
        page.get_by_role("button", name="See my recommendation").click()
        expect(page).to_have_url(re.compile(r"must=admin#result$"))
        expect(page.get_by_role("heading", name="Ruled out")).to_be_visible()
        expect(page.locator("#must-admin")).to_be_checked()
    finally:
        context.close()


def test_a_slow_earlier_answer_never_overwrites_a_newer_one(page, site, console_errors):
    page.goto(site + "/chooser/?needs=admin#result")
    expect(eligible(page).first).to_have_text("Django")
    held = []

    def hold_the_first(route):
        if not held:
            held.append(route)  # answered only after the newer change has been painted
            return
        route.continue_()

    page.route(re.compile(r"/chooser/\?.*weight_"), hold_the_first)
    with page.expect_request(re.compile(r"weight_admin=-3")):
        tune(page, admin=-3)
    tune(page, performance=3, **{"async": 3})
    expect(page).to_have_url(re.compile(r"weight_async=3"))
    expect(page.locator("[data-chooser-result]")).not_to_have_attribute("aria-busy", "true")
    order = eligible(page).all_inner_texts()
    assert order[0] != "Django"

    # The browser has usually cancelled it already, which is the point.
    with contextlib.suppress(Exception):
        held[0].continue_()
    page.wait_for_timeout(500)  # room for a stale answer to land, were it still awaited
    expect(eligible(page)).to_have_text(order)
    expect(page).to_have_url(re.compile(r"weight_async=3"))
    assert console_errors == []
