"""/compare/ on a 390 px phone: a header that stays in view, columns that fit, targets a thumb can hit."""

import pytest
from playwright.sync_api import expect

from comparisons.tests.factories import grow_matrix
from tests.browser.test_accessibility import audit, format_violations

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH, PHONE_HEIGHT = 390, 844


def scroll_to_the_last_row(phone):
    """Bring the table to the top of the screen, then scroll it to its end, as a thumb would."""
    table = phone.locator(".table-scroll")
    table.evaluate("el => el.scrollIntoView({block: 'start'})")
    table.hover()
    at_end = "el => el.scrollTop + el.clientHeight >= el.scrollHeight - 1"
    for _ in range(60):
        if table.evaluate(at_end):
            break
        phone.mouse.wheel(0, 150)
        phone.wait_for_timeout(30)
    assert table.evaluate(at_end), "the table did not scroll to its end"


def box(locator):
    result = locator.bounding_box()
    assert result is not None, f"{locator} is not rendered"
    return result


def assert_in_view(locator):
    b = box(locator)
    assert b["y"] >= 0 and b["y"] + b["height"] <= PHONE_HEIGHT, f"{locator} at {b}"
    return b


# The seed has five frameworks: the matrix only grows from there.
@pytest.mark.parametrize("frameworks", [5, 12])
def test_header_stays_in_view_and_three_columns_fit_beside_the_aspects(phone, site, frameworks):
    grow_matrix(frameworks=frameworks, aspects=14)
    phone.goto(site + "/compare/")
    expect(phone.locator("thead .matrix__framework")).to_have_count(frameworks)

    scroll_to_the_last_row(phone)

    header = assert_in_view(phone.locator("thead .matrix__framework").first)
    # The matrix's own last row: the Facts group below it is a table of its own.
    last_row = assert_in_view(phone.locator("table.matrix tbody tr").last)
    assert header["y"] + header["height"] <= last_row["y"] + 1
    # The aspect column and three framework columns side by side, whole, inside the screen.
    aspect = box(phone.locator("tbody .matrix__aspect").last)
    third = box(phone.locator("thead .matrix__framework").nth(2))
    assert aspect["x"] >= 0 and third["x"] + third["width"] <= PHONE_WIDTH
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH + 1


def test_aspect_column_stays_when_the_table_scrolls_sideways(phone, site):
    grow_matrix(frameworks=12, aspects=14)
    phone.goto(site + "/compare/")
    aspect = phone.locator("tbody .matrix__aspect").first
    before = box(aspect)

    phone.locator(".table-scroll").evaluate("el => { el.scrollLeft = el.scrollWidth; }")

    after = box(aspect)
    assert phone.locator(".table-scroll").evaluate("el => el.scrollLeft") > 0
    assert abs(after["x"] - before["x"]) < 1


def test_why_and_about_are_tap_targets_of_at_least_44_pixels(phone, site):
    phone.goto(site + "/compare/")
    sizes = phone.locator(".matrix__why summary, .matrix__about summary").evaluate_all(
        "els => els.map(el => { const r = el.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert len(sizes) > 14
    assert min(width for width, _ in sizes) >= 44
    assert min(height for _, height in sizes) >= 44


def test_aspect_description_opens_from_its_toggle(phone, site):
    phone.goto(site + "/compare/")
    row = phone.locator("#aspect-performance")
    description = row.locator(".matrix__about p")
    expect(description).to_be_hidden()
    expect(row.locator(".matrix__description")).to_be_hidden()

    row.get_by_text("About").tap()

    expect(description).to_be_visible()


def test_compare_has_no_accessibility_violations_at_phone_width(phone, site):
    phone.goto(site + "/compare/?diff=1")
    expect(phone.locator("#aspect-performance")).to_be_attached()

    blocking, others = audit(phone)

    assert not blocking + others, format_violations(blocking + others)
