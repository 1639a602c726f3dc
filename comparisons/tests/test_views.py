import pytest
from django.urls import reverse

from comparisons.models import Aspect, Framework, Scenario

pytestmark = pytest.mark.django_db


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def test_compare_shows_every_framework_and_aspect(client, seeded):
    html = get(client, reverse("comparisons:compare")).content.decode()
    for framework in Framework.objects.all():
        assert framework.name in html
    for aspect in Aspect.objects.all():
        assert f'id="{aspect.anchor}"' in html
    assert "Excellent (async)" in html
    assert "Yes (improved in 5.x)" in html


def test_compare_keeps_only_the_chosen_frameworks(client, seeded):
    response = get(client, reverse("comparisons:compare"), fw=["flask", "fastapi"])
    assert [f.slug for f in response.context["matrix"]["frameworks"]] == ["flask", "fastapi"]
    assert response.context["selected_slugs"] == {"flask", "fastapi"}


def test_compare_marks_differences_and_leaders(client, seeded):
    response = get(client, reverse("comparisons:compare"), fw=["flask", "fastapi"])
    rows = {row["aspect"].slug: row for row in response.context["matrix"]["rows"]}
    assert rows["performance"]["differs"]
    leaders = [c["framework"].slug for c in rows["performance"]["cells"] if c["leads"]]
    assert leaders == ["fastapi"]
    # Neither has a built-in admin: no difference, nobody leads.
    assert not rows["admin"]["differs"]
    assert not any(c["leads"] for c in rows["admin"]["cells"])


def test_compare_can_hide_rows_that_do_not_differ(client, seeded):
    response = get(client, reverse("comparisons:compare"), fw=["flask", "fastapi"], diff="1")
    slugs = {row["aspect"].slug for row in response.context["matrix"]["rows"]}
    assert "performance" in slugs
    assert "admin" not in slugs


def test_only_differences_keeps_exactly_the_rows_whose_scores_differ(client, seeded):
    response = get(client, reverse("comparisons:compare"), fw=["flask", "fastapi"], diff="1")

    kept = [row["aspect"].slug for row in response.context["matrix"]["rows"]]
    # Both score 0 on ORM, admin and auth and 4 on ecosystem, whatever their labels say.
    same = {"orm", "admin", "auth", "ecosystem"}
    assert kept == [slug for slug in Aspect.objects.values_list("slug", flat=True) if slug not in same]
    html = response.content.decode()
    assert 'id="aspect-orm"' not in html
    assert 'id="aspect-ecosystem"' not in html


def test_unknown_framework_is_named_not_an_error(client, seeded):
    response = get(client, reverse("comparisons:compare"), fw=["flask", "rails"])
    assert response.context["unknown_slugs"] == ["rails"]
    assert [f.slug for f in response.context["matrix"]["frameworks"]] == ["flask"]
    assert "rails" in response.content.decode()


def test_only_unknown_frameworks_falls_back_to_all(client, seeded):
    response = get(client, reverse("comparisons:compare"), fw="<script>alert(1)</script>")
    assert len(response.context["matrix"]["frameworks"]) == 5
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_scenarios_list_every_situation_with_its_guide_link(client, seeded):
    html = get(client, reverse("comparisons:scenarios")).content.decode()
    for scenario in Scenario.objects.all():
        assert f'id="{scenario.slug}"' in html
        assert scenario.situation in html
    assert "with Wagtail" in html
    assert 'href="/guide/django/"' in html
