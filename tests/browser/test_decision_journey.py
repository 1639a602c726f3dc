"""Saving a decision in a real browser: sign-up by email, the chooser, the decision pages."""

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect
from wagtail.models import APIToken

from decisions import services
from decisions.tests.factories import make_decision

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-staple-42"
SAAS = "A SaaS, marketplace or product"
ADMIN = "An admin interface"
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/\S+)")


def account_nav(page):
    return page.get_by_role("navigation", name="Your account", exact=True)


def sign_up_and_verify(page, site, email):
    """Sign up, then open the mailed link in the same browser, which signs the person in."""
    page.goto(site + "/accounts/signup/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    # The live server runs in this process, so its locmem mails land in this outbox.
    [message] = [message for message in mail.outbox if message.to == [email]]
    page.goto(site + CONFIRM_LINK.search(message.body).group(1))
    page.get_by_role("button", name="Confirm").click()
    expect(account_nav(page).get_by_role("button", name="Sign out")).to_be_visible()


def create_verified_user(email):
    user = get_user_model().objects.create_user(username=email.split("@")[0], email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def fill_in_login(page, email):
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def answer_saas_with_admin(page, site):
    page.goto(site + "/chooser/")
    page.get_by_label(SAAS).check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label(ADMIN).check()
    page.get_by_role("button", name="See my recommendation").click()
    expect(page.get_by_role("heading", name="We recommend Django")).to_be_visible()


def test_new_member_saves_exports_and_keeps_a_decision_private(page, site):
    sign_up_and_verify(page, site, "ada@example.com")

    answer_saas_with_admin(page, site)
    page.get_by_role("link", name="Save this decision").click()
    expect(page).to_have_url(re.compile(r"/decisions/new/\?project=saas&needs=admin$"))
    expect(page.get_by_role("heading", name="Save this decision", level=1)).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Django for our next project")
    page.get_by_role("button", name="Save decision").click()

    expect(page.get_by_role("heading", name="Django for our next project", level=1)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Decision saved.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/decisions/\d+/$"))
    decision_url = page.url

    account_nav(page).get_by_role("link", name="My decisions").click()
    expect(page.get_by_role("heading", name="My decisions", level=1)).to_be_visible()
    saved = page.get_by_role("listitem").filter(has_text="Django for our next project")
    expect(saved).to_have_count(1)
    expect(saved).to_contain_text("Proposed")

    saved.get_by_role("link", name="Django for our next project").click()
    expect(page).to_have_url(decision_url)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export Markdown (MADR)").click()
    download = download_info.value
    assert re.fullmatch(r"decision-\d+\.md", download.suggested_filename)
    markdown = Path(download.path()).read_text(encoding="utf-8")
    assert markdown.startswith("# ")
    assert "## Decision Outcome" in markdown

    account_nav(page).get_by_role("button", name="Sign out").click()
    expect(account_nav(page).get_by_role("link", name="Sign in")).to_be_visible()

    sign_up_and_verify(page, site, "grace@example.com")
    response = page.goto(decision_url)
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text("Django for our next project")).to_have_count(0)


def test_anonymous_save_signs_in_and_returns_to_the_same_answers(page, site):
    create_verified_user("lin@example.com")
    answer_saas_with_admin(page, site)

    page.get_by_role("link", name="Save this decision").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    fill_in_login(page, "lin@example.com")

    expect(page).to_have_url(re.compile(r"/decisions/new/\?project=saas&needs=admin$"))
    expect(page.get_by_label("Title")).to_have_value("Django for our next project")
    answers = page.locator(".answers")
    expect(answers).to_contain_text(SAAS)
    expect(answers).to_contain_text(ADMIN)


def ada_with_two_decisions():
    """A verified user with a proposed decision and an accepted, shared one."""
    user = create_verified_user("ada@example.com")
    make_decision(user, title="Back office for the billing team", notes="Agreed at the architecture review.")
    shared = make_decision(
        user,
        title="Inference API for the vision team",
        answers={"project": ["ml"], "needs": ["api_docs"], "io": ["heavy"]},
        status="accepted",
        chosen_reason="The team already runs async workers.",
    )
    services.decision_set_sharing(decision=shared, shared=True)
    return user


def test_screenshots_of_decision_pages(page, site, screenshot_dir):
    user = ada_with_two_decisions()
    APIToken.create_token(user=user, name="CI script")

    page.goto(site + "/accounts/login/")
    fill_in_login(page, "ada@example.com")
    expect(page.get_by_role("heading", name="My decisions", level=1)).to_be_visible()
    expect(page.locator(".decision-card")).to_have_count(2)
    page.screenshot(path=screenshot_dir / "decisions-list.png", full_page=True)

    page.get_by_role("link", name="Inference API for the vision team").click()
    expect(page.get_by_role("heading", name="We recommend FastAPI")).to_be_visible()
    page.screenshot(path=screenshot_dir / "decision.png", full_page=True)

    account_nav(page).get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="CI script", exact=True)).to_be_visible()
    page.screenshot(path=screenshot_dir / "account.png", full_page=True)
    for name in ("decisions-list.png", "decision.png", "account.png"):
        assert (screenshot_dir / name).stat().st_size > 10_000
