from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions.models import Decision
from decisions.tests.factories import UserFactory, make_decision

pytestmark = pytest.mark.django_db


def yesterday():
    return timezone.localdate() - timedelta(days=1)


def test_needs_attention_filter_lists_only_flagged_decisions(client, seeded, user):
    make_decision(user, title="Overdue one", review_by=yesterday())
    make_decision(user, title="Calm one", review_by=timezone.localdate() + timedelta(days=9))
    make_decision(UserFactory(), title="Someone else's", review_by=yesterday())
    client.force_login(user)

    everything = client.get(reverse("decisions:list")).content.decode()
    assert "Overdue one" in everything and "Calm one" in everything
    assert everything.count("badge--attention") == 1

    flagged = client.get(reverse("decisions:list"), {"attention": "1"})
    page = flagged.content.decode()
    assert "Overdue one" in page and "has come" in page
    assert "Calm one" not in page and "Someone else" not in page
    assert '<a href="?q=&amp;attention=1" aria-current="page">Needs attention</a>' in page


def test_needs_attention_filter_says_when_nothing_is_flagged(client, seeded, user):
    make_decision(user, title="Calm one")
    client.force_login(user)
    page = client.get(reverse("decisions:list"), {"attention": "1"}).content.decode()
    assert "Calm one" not in page
    assert "needs attention: no review date has come" in page


def test_needs_attention_filter_costs_constant_queries(
    client, seeded, user, django_assert_num_queries, django_assert_max_num_queries
):
    for n in range(2):
        make_decision(user, title=f"Due {n}", review_by=yesterday())
    client.force_login(user)
    url = reverse("decisions:list")
    client.get(url, {"attention": "1"})
    with django_assert_max_num_queries(12) as few:
        client.get(url, {"attention": "1"})
    for n in range(6):
        make_decision(user, title=f"More {n}", review_by=yesterday())
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url, {"attention": "1"})
    assert response.content.decode().count("badge--attention") == 8


def test_detail_shows_reasons_and_mark_reviewed_clears_them(client, seeded, user):
    decision = make_decision(user, review_by=yesterday())
    client.force_login(user)
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "This decision needs attention" in page and "Mark as reviewed" in page

    response = client.post(reverse("decisions:reviewed", args=[decision.pk]))
    assert response.status_code == 302
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "This decision needs attention" not in page and "Last reviewed" in page


def test_someone_elses_decision_cannot_be_marked_reviewed(client, seeded, user):
    theirs = make_decision(UserFactory(), review_by=yesterday())
    client.force_login(user)
    assert client.post(reverse("decisions:reviewed", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("decisions:reviewed", args=[theirs.pk])).status_code == 405
    assert Decision.objects.get().reviewed_at is None


def test_edit_form_sets_and_rejects_review_by(client, seeded, user):
    decision = make_decision(user)
    client.force_login(user)
    url = reverse("decisions:edit", args=[decision.pk])
    form = {"title": decision.title, "status": "accepted", "chosen_framework": decision.chosen_framework}
    assert client.post(url, form | {"review_by": "2027-06-30"}).status_code == 302
    decision.refresh_from_db()
    assert decision.review_by.isoformat() == "2027-06-30"
    assert 'value="2027-06-30"' in client.get(url).content.decode()
    bad = client.post(url, form | {"review_by": "soon"})
    assert bad.status_code == 400
    assert "review_by" in bad.context["form"].errors


def test_saving_from_the_chooser_with_a_review_date(client, seeded, user):
    client.force_login(user)
    response = client.post(
        "/decisions/new/?project=content&needs=admin",
        {"title": "Docs site", "chosen_framework": "django", "review_by": "2027-01-15"},
    )
    assert response.status_code == 302
    assert Decision.objects.get().review_by.isoformat() == "2027-01-15"


def test_madr_export_carries_the_review_date(client, seeded, user):
    decision = make_decision(user)
    Decision.objects.filter(pk=decision.pk).update(review_by="2027-03-01")
    client.force_login(user)
    markdown = client.get(reverse("decisions:export", args=[decision.pk, "md"])).content.decode()
    assert "* Date: " in markdown and "* Review by: 2027-03-01\n" in markdown
