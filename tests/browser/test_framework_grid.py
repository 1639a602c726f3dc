"""An editor adds a framework through the rating grid: one row per aspect, one screen."""

from django.urls import reverse
from playwright.sync_api import expect

from comparisons.models import Aspect, AspectKind, Framework


def open_add_form(open_in_admin, tab=None):
    page = open_in_admin(reverse("wagtailsnippets_comparisons_framework:add"), tab)
    expect(page.locator(".rating-grid")).to_be_visible()


def fill_framework(page):
    page.get_by_role("textbox", name="Name").fill("Sanic")
    page.get_by_role("textbox", name="Slug").fill("sanic")
    page.get_by_role("textbox", name="Kind").fill("Async framework")
    page.get_by_role("textbox", name="Summary").fill("An async web server and framework in one.")
    page.get_by_role("textbox", name="Colour").fill("#6b21a8")


def publish(page):
    # Publish sits in the action menu's dropdown; the main button saves a draft.
    page.locator("button[data-w-dropdown-target='toggle']").last.click()
    page.get_by_role("button", name="Publish").click()


def fill_row(page, aspect):
    if aspect.kind == AspectKind.SCORED:
        page.get_by_label(f"{aspect.name}: score", exact=True).fill("4")
    elif aspect.kind == AspectKind.BOOLEAN:
        page.get_by_label(f"{aspect.name}: score", exact=True).select_option(label="Yes")
    page.get_by_label(f"{aspect.name}: label", exact=True).fill(f"Sanic on {aspect.name}")


def test_editor_adds_a_framework_through_the_grid(site, open_in_admin, browser, page):
    aspects = list(Aspect.objects.all())
    reader = browser.new_context().new_page()
    open_add_form(open_in_admin, page)

    names = page.locator(".rating-grid tbody .rating-grid__name").all_inner_texts()
    assert names == [aspect.name for aspect in aspects]
    fill_framework(page)
    half = len(aspects) // 2
    for aspect in aspects[:half]:
        fill_row(page, aspect)
    # Past the admin's autosave: a framework with unrated aspects is not published.
    page.wait_for_timeout(2_000)
    reader.goto(site + reverse("comparisons:compare"))
    assert "Sanic" not in reader.content()
    assert not Framework.objects.published().filter(slug="sanic").exists()

    for aspect in aspects[half:]:
        fill_row(page, aspect)
    publish(page)
    expect(page.get_by_text("published", exact=False).first).to_be_visible()

    sanic = Framework.objects.get(slug="sanic")
    assert sanic.ratings.count() == len(aspects)
    reader.goto(site + reverse("comparisons:compare") + "?fw=sanic")
    expect(reader.get_by_text("Sanic on", exact=False).first).to_be_visible()
    reader.context.close()


def test_publishing_a_half_rated_framework_names_the_gaps(site, open_in_admin, page):
    aspects = list(Aspect.objects.all())
    open_add_form(open_in_admin, page)
    fill_framework(page)
    for aspect in aspects[:-1]:
        fill_row(page, aspect)

    publish(page)

    expect(page.get_by_text(f"Not rated yet: {aspects[-1].name}.")).to_be_visible()
    expect(page.locator(".rating-grid__row--missing")).to_have_count(1)
    assert not Framework.objects.published().filter(slug="sanic").exists()


def test_screenshots_of_the_framework_form(site, open_in_admin, browser, screenshot_dir):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    open_add_form(open_in_admin, page)
    fill_framework(page)
    for aspect in list(Aspect.objects.all())[:4]:
        fill_row(page, aspect)
    # The admin scrolls an inner pane, so bring the grid's section heading to the top.
    page.locator(".rating-grid").evaluate("grid => grid.closest('section').scrollIntoView()")
    page.screenshot(path=screenshot_dir / "framework-form.png")
    assert (screenshot_dir / "framework-form.png").stat().st_size > 10_000
    context.close()
