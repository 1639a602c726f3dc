"""Accessibility: axe-core in Chromium on every kind of page, failing on serious or critical violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_decision_journey import ada_with_two_decisions, fill_in_login

pytestmark = pytest.mark.django_db(transaction=True)

# WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus Deque's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}

axe = Axe()


def audit(page):
    """The page's axe violations, split into (serious or critical, minor or moderate)."""
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    blocking = [violation for violation in violations if violation["impact"] in BLOCKING]
    return blocking, [violation for violation in violations if violation["impact"] not in BLOCKING]


def format_violations(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {' '.join(node['target'])}" for node in violation["nodes"])
    return "\n".join(lines)


def visit_home(page, site):
    page.goto(site + "/")


def visit_guide(page, site):
    page.goto(site + "/guide/flask/")
    expect(page.get_by_role("navigation", name="On this page")).to_be_attached()


def visit_guide_with_live_ratings(page, site):
    page.goto(site + "/guide/performance/")
    expect(page.locator(".live-rating").first).to_be_visible()


def visit_faq(page, site):
    page.goto(site + "/faq/")


def visit_compare(page, site):
    page.goto(site + "/compare/")
    expect(page.locator("#aspect-performance")).to_be_attached()


def history_with_a_change():
    """The seed's records dated ten days back, then one published change today, with its reason."""
    import datetime

    from django.utils import timezone

    from comparisons.models import Framework, Rating, RatingChange, day_start

    ten_days_ago = timezone.localdate() - datetime.timedelta(days=10)
    RatingChange.objects.update(changed_at=day_start(ten_days_ago))
    Framework.objects.filter(slug="django").update(change_reason="A new benchmark round")
    rating = Rating.objects.get(framework__slug="django", aspect__slug="performance")
    rating.label = "Fast"
    rating.save()
    return ten_days_ago


def visit_changes(page, site):
    history_with_a_change()
    page.goto(site + "/changes/")
    expect(page.locator(".change-item").first).to_be_visible()


def visit_compare_as_of(page, site):
    day = history_with_a_change()
    page.goto(f"{site}/compare/?as_of={day.isoformat()}")
    expect(page.locator(".as-of-banner")).to_be_visible()


def visit_compare_with_cell_history(page, site):
    history_with_a_change()
    page.goto(site + "/compare/")
    expect(page.locator(".matrix__history").first).to_be_attached()


def visit_scenarios(page, site):
    page.goto(site + "/scenarios/")


def visit_search(page, site):
    page.goto(site + "/search/?q=admin")
    for heading in ("Guide and FAQ", "Frameworks", "Scenarios"):
        expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()


def visit_chooser_first_step(page, site):
    page.goto(site + "/chooser/")
    expect(page.locator("[data-chooser-progress]")).to_have_text("Step 1 of 6")


def visit_chooser_result(page, site):
    # No smooth scrolling to #result, so axe never measures a page halfway through it.
    page.emulate_media(reduced_motion="reduce")
    visit_chooser_first_step(page, site)
    page.get_by_label("A SaaS, marketplace or product").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("An admin interface").check()
    page.get_by_role("button", name="See my recommendation").click()
    expect(page.get_by_role("heading", name="We recommend Django")).to_be_visible()
    expect(page.locator("#chooser-form")).to_be_hidden()


def visit_chooser_tuned(page, site):
    """Must-haves, ruled-out frameworks, both sides of each, and Fine-tune and constraints open."""
    page.emulate_media(reduced_motion="reduce")
    page.goto(site + "/chooser/?project=api&needs=admin&needs=auth&must=admin&weight_performance=2#result")
    expect(page.get_by_role("heading", name="Ruled out")).to_be_visible()
    # Own weights in the link open Fine-tune by themselves.
    expect(page.locator("#weight-performance")).to_be_visible()


def visit_login(page, site):
    page.goto(site + "/accounts/login/")


def visit_signup(page, site):
    page.goto(site + "/accounts/signup/")


def visit_not_found(page, site):
    response = page.goto(site + "/no-such-page/")
    assert response.status == 404


def sign_in_with_decisions(page, site):
    ada_with_two_decisions()
    page.goto(site + "/accounts/login/")
    fill_in_login(page, "ada@example.com")
    expect(page.get_by_role("heading", name="My decisions", level=1)).to_be_visible()


def visit_my_decisions(page, site):
    sign_in_with_decisions(page, site)
    expect(page.locator(".decision-card")).to_have_count(2)


def visit_decision(page, site):
    sign_in_with_decisions(page, site)
    page.get_by_role("link", name="Inference API for the vision team").click()
    expect(page.get_by_role("heading", name="We recommend FastAPI")).to_be_visible()


@pytest.mark.parametrize(
    ("visit", "viewport"),
    [
        pytest.param(visit_home, "page", id="home-desktop"),
        pytest.param(visit_home, "phone", id="home-phone"),
        pytest.param(visit_guide, "page", id="guide-page"),
        pytest.param(visit_guide_with_live_ratings, "phone", id="guide-live-ratings-phone"),
        pytest.param(visit_faq, "page", id="faq"),
        pytest.param(visit_compare, "page", id="compare-desktop"),
        pytest.param(visit_compare, "phone", id="compare-phone"),
        pytest.param(visit_changes, "page", id="changes"),
        pytest.param(visit_compare_as_of, "page", id="compare-as-of"),
        pytest.param(visit_compare_with_cell_history, "phone", id="compare-cell-history-phone"),
        pytest.param(visit_scenarios, "page", id="scenarios"),
        pytest.param(visit_search, "page", id="search-results"),
        pytest.param(visit_chooser_first_step, "page", id="chooser-first-step"),
        pytest.param(visit_chooser_result, "page", id="chooser-result"),
        pytest.param(visit_chooser_tuned, "page", id="chooser-tuned"),
        pytest.param(visit_chooser_tuned, "phone", id="chooser-tuned-phone"),
        pytest.param(visit_login, "page", id="login"),
        pytest.param(visit_signup, "page", id="signup"),
        pytest.param(visit_my_decisions, "page", id="my-decisions"),
        pytest.param(visit_decision, "page", id="decision"),
        pytest.param(visit_not_found, "page", id="not-found"),
    ],
)
def test_page_has_no_serious_or_critical_accessibility_violations(request, site, visit, viewport):
    page = request.getfixturevalue(viewport)
    visit(page, site)

    blocking, others = audit(page)

    # Shown with a failure, and with -s, so the minor and moderate ones stay visible too.
    print(f"{page.url}\n{format_violations(others) or 'No minor or moderate violations.'}")
    assert not blocking, f"Serious or critical violations on {page.url}:\n{format_violations(blocking)}"
    if visit in ZERO_VIOLATIONS:
        assert not others, f"Violations on {page.url}:\n{format_violations(others)}"


# The history pages are held to no violation at all, minor ones included.
ZERO_VIOLATIONS = {visit_changes, visit_compare_as_of, visit_compare_with_cell_history}


def test_the_audit_fails_on_a_critical_violation_and_names_the_element(page):
    page.set_content(
        '<!DOCTYPE html><html lang="en"><head><title>Form</title></head>'
        '<body><main><h1>Form</h1><input id="unlabelled"></main></body></html>'
    )

    blocking, _ = audit(page)

    assert [(violation["id"], violation["impact"]) for violation in blocking] == [("label", "critical")]
    assert "    #unlabelled" in format_violations(blocking)
