"""Real-browser journeys: Playwright for Python driving Debian's Chromium."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; the test's own
# database work (fixtures, assertions) is still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM}; install Debian's 'chromium' package"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason + " (REQUIRE_BROWSER is set)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    """docs/screenshots when refreshing the README's pictures, a temporary folder otherwise."""
    target = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture
def site(live_server, transactional_db, seeded):
    """The live server's URL, with the site, guide, matrix and chooser loaded.

    Each live-server test ends with a flush; the root conftest puts the session's
    seeded database back after it, so the next test finds it as the first did.
    """
    return live_server.url


EDITOR_PASSWORD = "a-long-browser-password"


@pytest.fixture
def editor_account(site):
    """A verified superuser: the admin journeys are about publishing, grids and caching;
    the Editors group's own rights are tested in comparisons/tests/test_admin.py."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("eda", "eda@example.com", EDITOR_PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def open_in_admin(page, site, editor_account):
    """Go to an admin URL and sign in on the way, as an editor following a link would."""

    def open_in_admin(path, tab=None):
        tab = tab or page
        tab.goto(site + path)
        tab.get_by_label("Email", exact=True).fill(editor_account.email)
        tab.get_by_label("Password", exact=True).fill(EDITOR_PASSWORD)
        tab.get_by_role("button", name="Sign In").click()
        return tab

    return open_in_admin
