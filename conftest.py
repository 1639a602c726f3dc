"""Fixtures shared by every app's tests."""

import pytest
from django.contrib.auth.models import Group

from portal.seeding import load_initial_data


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
def seeded(db):
    """The guide, FAQ, matrix and cheat sheet as `make run` loads them."""
    return load_initial_data()
