"""The public history: published changes and their reasons, the Atom feed, dates, cell histories, as_of."""

import datetime
import io
from unittest import mock

import pytest
from defusedxml import ElementTree
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comparisons.models import Aspect, ChangeKind, Framework, Rating, RatingChange, day_start
from comparisons.tests.factories import AspectFactory, FrameworkFactory, RatingFactory
from comparisons.tests.test_admin import edit_url, framework_form

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def publish(client, editor, framework_slug, reason="", **rating_changes):
    framework = Framework.objects.get(slug=framework_slug)
    data = framework_form(framework, **rating_changes)
    data["change_reason"] = reason
    client.force_login(editor)
    response = client.post(edit_url(framework), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()


def save_draft(client, editor, framework_slug, **rating_changes):
    framework = Framework.objects.get(slug=framework_slug)
    data = framework_form(framework, **rating_changes)
    data.pop("action-publish")
    data["change_reason"] = "A draft's reason"
    client.force_login(editor)
    assert client.post(edit_url(framework), data).status_code == 302
    client.logout()


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def move_to(changes, day: datetime.date, hour: int = 10):
    """Date recorded changes back, as if they had been published on `day`."""
    RatingChange.objects.filter(pk__in=[c.pk for c in changes]).update(
        changed_at=day_start(day) + datetime.timedelta(hours=hour)
    )


def seed_history_back_to(day: datetime.date):
    """The seed's own records (every cell added) dated to `day`, where the history starts."""
    move_to(RatingChange.objects.all(), day, hour=1)


def rated_framework(name: str) -> Framework:
    framework = FrameworkFactory(name=name, slug=name.lower())
    RatingFactory(framework=framework, aspect=Aspect.objects.get(slug="performance"), label=f"{name} speed")
    return framework


def latest_changes(count: int) -> list[RatingChange]:
    return list(RatingChange.objects.order_by("-pk")[:count])


@pytest.fixture
def two_publishes_and_a_draft(client, editor, seeded):
    """Django's performance cell published twice, with a draft saved in between and one after."""
    publish(client, editor, "django", reason="Round 22 measured it faster", performance={"label": "Fast"})
    save_draft(client, editor, "django", performance={"label": "Draftlabel", "score": 1})
    publish(
        client, editor, "django", reason="Async views matured", performance={"label": "Faster", "score": 4}
    )
    save_draft(client, editor, "django", learning_curve={"label": "Draftcurve"})


def test_each_publish_is_recorded_with_its_reason_and_drafts_never(two_publishes_and_a_draft):
    changes = RatingChange.objects.filter(kind=ChangeKind.CHANGED, framework__slug="django").order_by("pk")

    assert [(c.aspect.slug, c.old_label, c.new_label, c.reason) for c in changes] == [
        ("performance", "Moderate", "Fast", "Round 22 measured it faster"),
        ("performance", "Fast", "Faster", "Async views matured"),
    ]
    assert not RatingChange.objects.filter(new_label__in=["Draftlabel", "Draftcurve"]).exists()
    assert not RatingChange.objects.filter(reason="A draft's reason").exists()


def test_changes_page_lists_published_changes_newest_first_with_reasons(client, two_publishes_and_a_draft):
    response = client.get(reverse("comparisons:changes"))

    assert response.status_code == 200
    text = response.content.decode()
    assert text.index("Async views matured") < text.index("Round 22 measured it faster")
    assert "“Fast” (2/5) → “Faster” (4/5)" in text
    assert "Django × Performance" in text
    assert "Draftlabel" not in text and "Draftcurve" not in text and "A draft" not in text


def test_a_compare_cell_shows_its_own_history(client, two_publishes_and_a_draft):
    text = client.get(reverse("comparisons:compare")).content.decode()

    assert f"Changed twice; was “Fast” until {timezone.localdate().isoformat()}" in text
    assert "Draftlabel" not in text


def test_the_reason_field_starts_empty_after_a_publish_but_keeps_a_drafts(client, editor, seeded):
    publish(client, editor, "flask", reason="Checked the docs again", performance={"label": "Quick"})
    django = Framework.objects.get(slug="flask")
    client.force_login(editor)
    form = client.get(edit_url(django)).context["form"]
    assert form["change_reason"].value() == ""

    save_draft(client, editor, "flask", performance={"label": "Quicker"})
    client.force_login(editor)
    form = client.get(edit_url(django)).context["form"]
    assert form["change_reason"].value() == "A draft's reason"


def test_atom_feed_lists_the_changes_with_their_reasons(client, two_publishes_and_a_draft):
    response = client.get(reverse("comparisons:changes_feed"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles[:2] == [
        "Django × Performance: “Fast” (2/5) → “Faster” (4/5)",
        "Django × Performance: “Moderate” (2/5) → “Fast” (2/5)",
    ]
    assert entries[0].findtext(f"{ATOM}summary") == "Async views matured"
    assert all(entry.findtext(f"{ATOM}id") for entry in entries)
    assert len({entry.findtext(f"{ATOM}id") for entry in entries}) == len(entries)
    assert b"Draftlabel" not in response.content


def test_from_and_to_show_what_changed_between_two_dates(client, two_publishes_and_a_draft):
    first, second = sorted(latest_changes(2), key=lambda change: change.pk)
    move_to([first], days_ago(20))
    move_to([second], days_ago(10))

    def listed(query):
        response = client.get(f"{reverse('comparisons:changes')}?{query}")
        assert response.status_code == 200
        return [c.pk for c in response.context["changes"]]

    assert listed(f"from={days_ago(25)}&to={days_ago(15)}") == [first.pk]
    assert listed(f"from={days_ago(10)}&to={days_ago(10)}") == [second.pk]
    assert set(listed(f"to={days_ago(5)}")) == {first.pk, second.pk}
    assert first.pk not in listed(f"from={days_ago(15)}")


@pytest.mark.parametrize(
    "query, named",
    [
        ("from=2026-02-30", "from"),
        ("to=yesterday", "to"),
        ("from=20261112", "from"),
        ("from=2026-11-12T00:00", "from"),
        ("to=" + "9" * 300, "to"),
    ],
)
def test_a_bad_date_on_the_changes_page_is_a_400_naming_it(client, seeded, query, named):
    response = client.get(f"{reverse('comparisons:changes')}?{query}")

    assert response.status_code == 400
    assert f"“{named}” must be a date written YYYY-MM-DD" in response.content.decode()


def test_from_after_to_is_a_400(client, seeded):
    response = client.get(f"{reverse('comparisons:changes')}?from=2026-11-12&to=2026-11-01")

    assert response.status_code == 400
    assert "“from” must be on or before “to”" in response.content.decode()


def test_as_of_shows_the_matrix_as_published_that_day(client, editor, seeded):
    seed_history_back_to(days_ago(30))
    publish(client, editor, "django", reason="Faster now", performance={"label": "Fast", "score": 4})
    move_to(latest_changes(1), days_ago(10))
    newcomer = rated_framework("Newwork")
    move_to(RatingChange.objects.filter(framework=newcomer), days_ago(5))

    before = client.get(f"{reverse('comparisons:compare')}?as_of={days_ago(11)}")
    assert before.status_code == 200
    text = before.content.decode()
    assert f"As published on {days_ago(11)}" in text
    cell = before.context["matrix"]["rows"][1]["cells"][1]
    assert (cell["framework"].slug, cell["rating"].label, cell["rating"].score) == ("django", "Moderate", 2)
    assert "Newwork" not in text

    on_the_day = client.get(f"{reverse('comparisons:compare')}?as_of={days_ago(10)}")
    cell = on_the_day.context["matrix"]["rows"][1]["cells"][1]
    assert (cell["rating"].label, cell["rating"].score) == ("Fast", 4)
    assert "Newwork" not in on_the_day.content.decode()
    assert "Newwork" in client.get(f"{reverse('comparisons:compare')}?as_of={days_ago(4)}").content.decode()


def test_as_of_brings_back_an_unpublished_framework_and_a_deleted_rating(client, editor, seeded):
    seed_history_back_to(days_ago(30))
    flask = Framework.objects.get(slug="flask")
    client.force_login(editor)
    assert (
        client.post(reverse("wagtailsnippets_comparisons_framework:unpublish", args=[flask.pk])).status_code
        == 302
    )
    removed = RatingChange.objects.filter(framework=flask, kind=ChangeKind.REMOVED)
    assert removed.count() == Rating.objects.filter(framework=flask).count()
    assert set(removed.values_list("reason", flat=True)) == {""}
    move_to(removed, days_ago(3))
    Rating.objects.get(framework__slug="django", aspect__slug="jobs").delete()
    move_to(latest_changes(1), days_ago(3))

    past = client.get(f"{reverse('comparisons:compare')}?as_of={days_ago(4)}")
    names = [f.name for f in past.context["matrix"]["frameworks"]]
    assert "Flask" in names
    jobs = next(row for row in past.context["matrix"]["rows"] if row["aspect"].slug == "jobs")
    django_jobs = next(c for c in jobs["cells"] if c["framework"].slug == "django")
    assert django_jobs["rating"].label == "Leads full-stack roles"

    today = client.get(reverse("comparisons:compare"))
    assert "Flask" not in [f.name for f in today.context["matrix"]["frameworks"]]


def test_as_of_before_the_history_a_future_date_and_a_bad_date(client, seeded):
    seed_history_back_to(days_ago(30))
    compare = reverse("comparisons:compare")

    before = client.get(f"{compare}?as_of={days_ago(31)}")
    assert before.status_code == 200
    assert f"history starts on {days_ago(30)}" in before.content.decode()

    future = client.get(f"{compare}?as_of={timezone.localdate() + datetime.timedelta(days=3)}")
    assert future.status_code == 200
    assert "still to come" in future.content.decode()
    assert "As published on" not in future.content.decode()

    bad = client.get(f"{compare}?as_of=2026-13-01")
    assert bad.status_code == 400
    assert "“as_of” must be a date written YYYY-MM-DD" in bad.content.decode()


def test_changes_and_as_of_take_the_same_queries_however_long_the_history(client, editor, seeded):
    seed_history_back_to(days_ago(30))
    compare, changes = reverse("comparisons:compare"), reverse("comparisons:changes")

    def queries(url):
        client.get(url)  # warm the per-process snapshot and content version
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    as_of = f"{compare}?as_of={days_ago(20)}"
    listing = f"{changes}?from={days_ago(40)}"
    few = queries(as_of), queries(listing)
    for label in ("Fast", "Faster", "Fastest"):
        publish(client, editor, "django", reason=label, performance={"label": label})
        publish(client, editor, "flask", reason=label, learning_curve={"label": label})
    rated_framework("Morework")

    assert (queries(as_of), queries(listing)) == few


def test_the_sitemap_lists_the_changes_page(client, seeded):
    assert reverse("comparisons:changes") in client.get("/sitemap.xml").content.decode()


def test_an_aspect_going_live_adds_its_cells_and_going_offline_removes_them(seeded):
    aspect = AspectFactory(name="Hot reload", slug="hot_reload", live=False)
    flask = Framework.objects.get(slug="flask")
    RatingFactory(framework=flask, aspect=aspect, label="Built in")
    RatingFactory(framework=rated_framework("Draftwork"), aspect=aspect, label="Draft only")
    Framework.objects.filter(slug="draftwork").update(live=False)
    assert not RatingChange.objects.filter(aspect=aspect).exists()

    aspect.save_revision().publish()
    added = [(c.kind, c.framework.slug, c.new_label) for c in RatingChange.objects.filter(aspect=aspect)]
    assert added == [(ChangeKind.ADDED, "flask", "Built in")]

    aspect.refresh_from_db()
    aspect.unpublish()
    removed = RatingChange.objects.filter(aspect=aspect, kind=ChangeKind.REMOVED)
    assert [(c.framework.slug, c.old_label) for c in removed] == [("flask", "Built in")]


def test_a_scheduled_change_is_recorded_with_its_reason_when_it_goes_live(seeded):
    django = Framework.objects.get(slug="django")
    ratings = list(django.ratings.all())
    performance = next(rating for rating in ratings if rating.aspect.slug == "performance")
    performance.label = "Scheduled speed"
    django.ratings = ratings
    django.change_reason = "Round 23 is out"
    django.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    django.save_revision().publish()
    call_command("publish_scheduled", stdout=io.StringIO())
    assert not RatingChange.objects.filter(new_label="Scheduled speed").exists()

    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + datetime.timedelta(hours=2)):
        call_command("publish_scheduled", stdout=io.StringIO())

    change = RatingChange.objects.get(new_label="Scheduled speed")
    assert (change.kind, change.old_label) == (ChangeKind.CHANGED, "Moderate")
    assert change.reason == "Round 23 is out"
