"""An editor publishes a change in the Wagtail admin under the site's CSP; readers see it at once."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from portal.models import GuidePage

PASSWORD = "a-long-browser-password"


@pytest.fixture
def editor_account(site):
    # A superuser keeps this journey about publishing and caching; Editors' own rights
    # are tested in comparisons/tests/test_admin.py.
    user = get_user_model().objects.create_superuser("eda", "eda@example.com", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_editor_publishes_a_guide_change_and_a_cached_reader_sees_it(site, editor_account, browser, page):
    guide = GuidePage.objects.get(slug="django")
    reader = browser.new_context().new_page()
    reader.goto(site + guide.url)
    reader.goto(site + guide.url)
    assert "A summary written in the editor." not in reader.content()

    blocked = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and blocked.append(msg.text))
    page.goto(site + f"/admin/pages/{guide.pk}/edit/")
    page.get_by_label("Email", exact=True).fill(editor_account.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

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
