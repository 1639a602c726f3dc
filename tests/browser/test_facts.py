"""Release facts as a reader meets them: the Facts group on /compare/, and a framework's guide page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comparisons.models import FrameworkFacts

pytestmark = pytest.mark.django_db(transaction=True)


def test_facts_group_on_a_phone_scrolls_inside_itself_and_marks_stale_facts(phone, site):
    FrameworkFacts.objects.filter(framework__slug="django").update(
        fetched_at=timezone.now() - datetime.timedelta(days=10)
    )
    phone.goto(site + "/compare/")
    group = phone.locator("section.facts-group")
    group.scroll_into_view_if_needed()
    expect(group.get_by_role("heading", name="Facts")).to_be_visible()
    table = group.get_by_role("region", name="Release facts")
    expect(table.locator("thead th")).to_have_count(FrameworkFacts.objects.count())
    expect(table.locator(".tag--stale")).to_have_count(1)
    # The wide table scrolls sideways inside its region; the page itself does not widen.
    assert table.evaluate("el => el.scrollWidth > el.clientWidth")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 391


def test_a_framework_guide_page_shows_its_version_and_support(page, site):
    facts = FrameworkFacts.objects.get(framework__slug="django")
    page.goto(site + "/guide/django/")
    box = page.locator("header dl.facts")
    expect(box).to_contain_text(facts.latest_version)
    expect(box).to_contain_text("30 Apr 2028")
    expect(box).to_contain_text("none on the latest release")
