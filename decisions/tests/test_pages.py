import json
import re

import pytest
from django.urls import reverse

from decisions.models import Decision
from decisions.tests.factories import make_decision

pytestmark = pytest.mark.django_db

QUERY = "project=content&needs=admin"


def test_anonymous_save_goes_through_login_and_back_with_answers(client, seeded, user):
    response = client.get(f"/decisions/new/?{QUERY}")
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith("/accounts/login/")
    assert "next=/decisions/new/%3Fproject%3Dcontent%26needs%3Dadmin" in login_url

    client.force_login(user)
    form = client.get(f"/decisions/new/?{QUERY}")
    assert form.status_code == 200
    assert form.context["form"].initial["chosen_framework"] == "django"
    assert "Django for our next project" in form.content.decode()


def test_saving_from_the_chooser(client, seeded, user):
    client.force_login(user)
    response = client.post(
        f"/decisions/new/?{QUERY}",
        {"title": "Docs site", "chosen_framework": "flask", "chosen_reason": "We know Flask", "notes": ""},
    )
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == decision.get_absolute_url()
    assert decision.answers == {"project": ["content"], "needs": ["admin"]}
    assert (decision.recommended, decision.chosen_framework) == ("django", "flask")
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "Docs site" in page
    assert "We know Flask" in page
    assert "We recommend" in page  # the saved result


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "chosen_framework": "django"},
        {"title": "ok", "chosen_framework": "rails"},
        {"title": "nul\x00", "chosen_framework": "django"},
    ],
)
def test_bad_save_is_a_form_error(client, seeded, user, data):
    client.force_login(user)
    response = client.post(f"/decisions/new/?{QUERY}", data)
    assert response.status_code == 400
    assert not Decision.objects.exists()


def test_saving_bad_answers_is_an_error_not_a_500(client, seeded, user):
    client.force_login(user)
    assert client.get("/decisions/new/?project=spaceship").status_code == 400
    assert client.get("/decisions/new/").status_code == 400


def test_list_search_and_pagination(client, seeded, user):
    for n in range(22):
        make_decision(user, title=f"Service {n:02d}")
    make_decision(user, title="Marketing site")
    client.force_login(user)
    first = client.get(reverse("decisions:list"))
    assert [d.title for d in first.context["page_obj"]][:2] == ["Marketing site", "Service 21"]
    assert first.context["page_obj"].paginator.num_pages == 2
    found = client.get(reverse("decisions:list"), {"q": "marketing"})
    assert [d.title for d in found.context["page_obj"]] == ["Marketing site"]


def test_edit_status_and_delete_with_confirmation(client, seeded, user):
    decision = make_decision(user)
    client.force_login(user)
    response = client.post(
        reverse("decisions:edit", args=[decision.pk]),
        {
            "title": "Renamed",
            "status": "accepted",
            "chosen_framework": "django",
            "chosen_reason": "",
            "notes": "ok",
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.title, decision.status) == ("Renamed", "accepted")
    bad = client.post(
        reverse("decisions:edit", args=[decision.pk]),
        {"title": "x", "status": "maybe", "chosen_framework": "django"},
    )
    assert bad.status_code == 400
    assert (
        "Delete this decision?"
        in client.get(reverse("decisions:delete", args=[decision.pk])).content.decode()
    )
    client.post(reverse("decisions:delete", args=[decision.pk]))
    assert not Decision.objects.exists()


def test_markdown_export_has_every_madr_section_and_the_figures(client, seeded, user):
    decision = make_decision(
        user, chosen_framework="flask", chosen_reason="Smaller", notes="<b>hi</b> [x](javascript:alert(1))"
    )
    client.force_login(user)
    response = client.get(reverse("decisions:export", args=[decision.pk, "md"]))
    assert response["Content-Disposition"] == f'attachment; filename="decision-{decision.pk}.md"'
    text = response.content.decode()
    for section in [
        "# Framework for the billing service",
        "* Status: Proposed",
        "## Context and Problem Statement",
        "## Decision Drivers",
        "## Considered Options",
        "## Decision Outcome",
        "### Consequences",
        "## Notes",
    ]:
        assert section in text
    snapshot = decision.latest_snapshot.result
    for ranked in snapshot["ranking"]:
        assert f"* {ranked['name']}: fit score {ranked['score']:.0f}/100" in text
    assert 'Chosen option: "Flask", although Stackfit recommended Django.' in text
    assert "* Admin panel (weight +3, counts for)" in text
    assert "* Bad, because Flask is weak on admin panel (0/5)" in text
    assert "<b>" not in text and "](javascript" not in text
    assert "&lt;b&gt;hi&lt;/b&gt;" in text


def test_json_export_and_export_all(client, seeded, user):
    first = make_decision(user, title="One")
    make_decision(user, title="Two")
    client.force_login(user)
    one = json.loads(client.get(reverse("decisions:export", args=[first.pk, "json"])).content)
    assert one["title"] == "One"
    assert one["snapshots"][0]["result"]["recommended"] == "django"
    everything = json.loads(client.get(reverse("decisions:export-all")).content)
    assert [d["title"] for d in everything["decisions"]] == ["Two", "One"]
    assert client.get(reverse("decisions:export", args=[first.pk, "xml"])).status_code == 404


def test_user_text_is_escaped_on_every_page(client, seeded, user):
    decision = make_decision(user, title="<script>alert(1)</script>", notes="<img src=x onerror=alert(1)>")
    client.force_login(user)
    from decisions.services import decision_set_sharing

    decision_set_sharing(decision=decision, shared=True)
    for url in [decision.get_absolute_url(), decision.get_share_url(), reverse("decisions:list")]:
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x" not in html
        assert re.search(r"&lt;script&gt;alert\(1\)&lt;/script&gt;", html)


def test_my_decisions_costs_the_same_queries_for_3_or_20_decisions(client, seeded, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comparisons.models import Rating

    client.force_login(user)

    def queries() -> int:
        client.get(reverse("decisions:list"))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("decisions:list")).status_code == 200
        return len(captured)

    for n in range(3):
        make_decision(user, title=f"A{n}")
    # Drift has to be computed for every one of them.
    Rating.objects.filter(framework__slug="django", aspect__slug="admin").update(score=0)
    from core.content_version import bump_content_version

    bump_content_version()
    few = queries()
    for n in range(17):
        make_decision(user, title=f"B{n}")
    assert queries() == few
