"""An editor publishes a change in the Wagtail admin under the site's CSP; readers see it at once."""

from playwright.sync_api import expect

from portal.models import GuidePage


def test_editor_publishes_a_guide_change_and_a_cached_reader_sees_it(site, open_in_admin, browser, page):
    guide = GuidePage.objects.get(slug="django")
    reader = browser.new_context().new_page()
    reader.goto(site + guide.url)
    reader.goto(site + guide.url)
    assert "A summary written in the editor." not in reader.content()

    blocked = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and blocked.append(msg.text))
    open_in_admin(f"/admin/pages/{guide.pk}/edit/")

    summary = page.get_by_role("textbox", name="Summary")
    expect(summary).to_be_visible()
    summary.fill("A summary written in the editor.")
    # Publishing sits in the action menu's dropdown, which only works if the admin's scripts ran.
    page.locator("button[data-w-dropdown-target='toggle']").last.click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("published", exact=False).first).to_be_visible()

    reader.goto(site + guide.url)
    expect(reader.get_by_text("A summary written in the editor.")).to_be_visible()
    assert blocked == []
    reader.context.close()
