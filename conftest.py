"""Fixtures shared by every app's tests.

The guide, FAQ, matrix and chooser are loaded once per session, on top of what the
migrations made; each test then runs in a transaction on that database, rolled back
at its end. Transactional tests (live server, browser, API contract) end with a flush
instead, so the database is put back from a copy taken right after the load.
"""

import json
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group

from portal.seeding import SeedReport, load_initial_data


@dataclass(frozen=True)
class SessionSeed:
    report: SeedReport
    dump: str

    def restore_if_flushed(self):
        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType
        from django.core.management import call_command
        from django.core.management.color import no_style
        from django.db import connection

        from portal.models import SeedRecord

        if SeedRecord.objects.exists():
            return
        # The flush that emptied the database re-ran post_migrate, which made content
        # types and permissions under new keys; the copy brings back the old ones.
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        ContentType.objects.clear_cache()
        connection.creation.deserialize_db_from_string(self.dump)
        ContentType.objects.clear_cache()
        # The copy's rows keep their ids; on PostgreSQL the sequences must be moved past
        # them, or the next insert (a page revision, say) collides with a restored row.
        sql = connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


SESSION_SEED = pytest.StashKey[SessionSeed]()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    from django.db import connection

    with django_db_blocker.unblock():
        report = load_initial_data()
        rows = json.loads(connection.creation.serialize_db_to_string())
    # Content types go first: restoring a page looks its type up and would otherwise
    # create the row under a new key before the copy's own row arrives.
    rows.sort(key=lambda row: row["model"] != "contenttypes.contenttype")
    request.config.stash[SESSION_SEED] = SessionSeed(report, json.dumps(rows))
    return report


def _flushes_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        seed = item.config.stash.get(SESSION_SEED, None)
        # After the session's last test the test database is already gone: nothing to restore.
        if seed is not None and nextitem is not None and _flushes_database(item):
            from pytest_django.plugin import blocking_manager_key

            with item.config.stash[blocking_manager_key].unblock():
                seed.restore_if_flushed()


@pytest.fixture(autouse=True)
def fresh_process_state():
    """Each test starts as a new worker would: no engine snapshot, an empty cache."""
    from django.core.cache import cache, caches

    from comparisons.snapshot import forget_snapshot

    forget_snapshot()
    cache.clear()
    caches["counters"].clear()
    yield


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(
        username="reader", email="reader@example.com", password="a-long-test-password"
    )


@pytest.fixture
def editor(django_user_model):
    """A member of the Editors group: staff for Wagtail, not a superuser."""
    editor = django_user_model.objects.create_user(
        username="editor",
        email="editor@example.com",
        password="a-long-test-password",
        is_staff=True,
    )
    editor.groups.add(Group.objects.get(name="Editors"))
    return editor


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        username="admin", email="admin@example.com", password="a-long-test-password"
    )


@pytest.fixture
def seeded(db, django_db_setup):
    """The guide, FAQ, matrix and cheat sheet as `make run` loads them; returns that load's report."""
    return django_db_setup


@pytest.fixture
def empty_content(db):
    """No guide pages, matrix or chooser, for tests that load or count content themselves.

    The session's guide, matrix, chooser and their seed records are deleted inside the
    test's transaction, so the next test has them again.
    """
    from wagtail.models import Page, Site

    from comparisons.models import (
        Aspect,
        Companion,
        Framework,
        Option,
        OptionWeight,
        Question,
        Rating,
        Scenario,
    )
    from portal.models import SeedRecord

    home = Site.objects.get(is_default_site=True).root_page
    Page.objects.descendant_of(home).delete()
    for model in (Companion, OptionWeight, Option, Question, Rating, Scenario, Framework, Aspect, SeedRecord):
        model.objects.all().delete()
