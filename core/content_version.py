"""The content version: one token that changes whenever published content changes.

Every process keeps derived data (the engine snapshot, cached pages, cached API
reads) keyed by this token, so an edit made through any worker is seen by
every worker at its next request, without a purge step. Feature apps register
the models whose changes must bump it (`register_content_models`); Wagtail page
publish, unpublish and move are wired here. Code that writes in bulk
(QuerySet.update, bulk_create, raw SQL) must call `bump_content_version` itself.

Reads. With Redis (django-redis as the counters cache), the token is mirrored there
when a bump commits (transaction.on_commit), and read from there: no database query.
The API's throttle fetches it in the same Redis round trip as its counter
(core.throttling) and leaves it for the rest of the request. A miss, a Redis
outage, or a bump not yet committed on this connection reads the database, as
does every read without Redis. The mirror expires after MIRROR_SECONDS, which
bounds how long a lost mirror write (Redis down at the very moment of a commit,
or two bumps committing in the same millisecond) could go unnoticed.

Models with Wagtail draft state bump on publish, unpublish (and so scheduled
go-live and expiry) and on a direct save of a live row (an import, the seed, a
shell), never on a draft save or autosave: readers cannot see a draft, so the
derived data stays valid.
"""

import contextlib
import contextvars
import datetime
import logging
import secrets

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from core.models import ContentVersion

logger = logging.getLogger(__name__)

VERSION_KEY = "matrix"
MIRROR_SECONDS = 60

_VERSION_SQL = f"SELECT token FROM {ContentVersion._meta.db_table} WHERE key = %s"
_STATE_SQL = f"SELECT token, changed_at FROM {ContentVersion._meta.db_table} WHERE key = %s"


def content_version() -> int:
    """The current token: from this request's throttle call, from Redis, or from the database."""
    if _bump_pending():
        return _database_version()
    primed = _request_version.get()
    if primed is not None:
        return primed
    client = counters_redis()
    if client is None:
        return _database_version()
    key = mirror_key()
    try:
        raw = client.get(key)
    except Exception:  # noqa: BLE001 - a Redis outage reads the database, never fails the request
        logger.warning("content version: Redis unavailable, reading the database", exc_info=True)
        return _database_version()
    if raw is not None:
        return int(raw)
    version = _database_version()
    try:
        # NX: a bump committed meanwhile has written the newer token; never overwrite it.
        client.set(key, version, ex=MIRROR_SECONDS, nx=True)
    except Exception:  # noqa: BLE001
        logger.warning("content version: could not mirror to Redis", exc_info=True)
    return version


def _database_version() -> int:
    # Raw SQL: the ORM's query compilation costs more than the indexed read itself.
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [VERSION_KEY])
        row = cursor.fetchone()
    return row[0] if row else 0


# The token read by this request's throttle call; cleared as each request starts and ends.
_request_version: contextvars.ContextVar[int | None] = contextvars.ContextVar("content_version", default=None)


def remember_for_request(raw) -> None:
    """Keep the token the throttle's Redis call brought back (bytes, or None on a miss)."""
    if raw is not None and not _bump_pending():
        _request_version.set(int(raw))


def forget_for_request(**kwargs) -> None:
    """request_started/request_finished receiver: no token outlives its request."""
    _request_version.set(None)


def counters_redis():
    """The redis-py client behind the counters cache, or None when that cache is not django-redis."""
    from core.throttling import counters_cache

    cache = counters_cache()
    client = getattr(cache, "client", None)
    if client is None or not hasattr(client, "get_client"):
        return None
    return client.get_client(write=True)


def mirror_key() -> str:
    from core.throttling import counters_cache

    return str(counters_cache().make_key("content_version:" + VERSION_KEY))


def _bump_pending() -> bool:
    # A bump inside a transaction that has not committed yet: Redis still holds the old
    # token, and this connection must see its own change.
    # The flag names the outermost atomic block it was set in, so a rolled-back one is forgotten.
    pending = getattr(connection, "content_bump_pending", None)
    return pending is not None and connection.in_atomic_block and connection.atomic_blocks[0] is pending


def _mirror_after_commit() -> None:
    connection.content_bump_pending = None
    client = counters_redis()
    if client is None:
        return
    try:
        # Re-read: of two bumps committing together, the one whose mirror runs last
        # writes whatever the database holds by then.
        client.set(mirror_key(), _database_version(), ex=MIRROR_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("content version: could not mirror the bump to Redis", exc_info=True)
        with contextlib.suppress(Exception):
            client.delete(mirror_key())


def content_state():
    """(token, changed_at) of the content: the validators for HTTP conditional requests."""
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL, [VERSION_KEY])
        row = cursor.fetchone()
    if not row:
        return 0, None
    token, changed_at = row
    # SQLite hands back text for raw reads; the ORM's converters are skipped here.
    if isinstance(changed_at, str):
        changed_at = ContentVersion._meta.get_field("changed_at").to_python(changed_at)
    if changed_at is not None and timezone.is_naive(changed_at):
        changed_at = timezone.make_aware(changed_at, datetime.UTC)
    return token, changed_at


def bump_content_version(**kwargs) -> None:
    """Signal receiver: content changed, so every process must rebuild what it derived."""
    token = secrets.randbits(62)
    # update() skips auto_now, and Last-Modified is read from changed_at.
    updated = ContentVersion.objects.filter(key=VERSION_KEY).update(token=token, changed_at=timezone.now())
    if not updated:
        ContentVersion.objects.update_or_create(key=VERSION_KEY, defaults={"token": token})
    _request_version.set(None)
    if connection.in_atomic_block:
        connection.content_bump_pending = connection.atomic_blocks[0]
    transaction.on_commit(_mirror_after_commit)


# Saves that only record a draft, a lock or a workflow step, never content readers see.
BOOKKEEPING_FIELDS = frozenset(
    {"latest_revision", "has_unpublished_changes", "locked", "locked_at", "locked_by"}
)


def reaches_readers(instance) -> bool:
    """Whether a change to `instance` can be seen by readers.

    A model may say so with an `is_published()` method (a rating is public when its
    framework is live); otherwise an object with draft state is public when live.
    """
    check = getattr(instance, "is_published", None)
    if callable(check):
        try:
            return check()
        except Exception:  # noqa: BLE001 - a parent deleted in the same cascade: assume public
            return True
    return getattr(instance, "live", True)


def _bump_on_save(sender, instance, update_fields=None, **kwargs):
    if update_fields and set(update_fields) <= BOOKKEEPING_FIELDS:
        return
    if reaches_readers(instance):
        bump_content_version()


def _bump_on_delete(sender, instance, **kwargs):
    if reaches_readers(instance):
        bump_content_version()


def _bump_on_m2m(sender, instance, action, **kwargs):
    if action.startswith("post_") and reaches_readers(instance):
        bump_content_version()


def _bump_on_publish(sender, instance, **kwargs):
    # A publish scheduled for later sends the signal too, while the object stays a draft.
    if getattr(instance, "live", True):
        bump_content_version()


def register_content_models(*models, m2m_through=()) -> None:
    """Bump the version when a change to `models` or the `m2m_through` tables reaches readers.

    Saves and deletes of rows readers see bump it; so do Wagtail's `published` and
    `unpublished` signals for models with draft state. Draft saves do not.
    """
    from wagtail.signals import published, unpublished

    for model in models:
        uid = f"bump-content-version-{model._meta.label}"
        post_save.connect(_bump_on_save, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_bump_on_delete, sender=model, dispatch_uid=uid + "-delete")
        published.connect(_bump_on_publish, sender=model, dispatch_uid=uid + "-publish")
        unpublished.connect(bump_content_version, sender=model, dispatch_uid=uid + "-unpublish")
    for through in m2m_through:
        m2m_changed.connect(
            _bump_on_m2m, sender=through, dispatch_uid=f"bump-content-version-{through._meta.label}"
        )


def connect_page_signals() -> None:
    from wagtail.models import PageViewRestriction
    from wagtail.signals import page_published, page_unpublished, post_page_move

    # Guide URLs and rating sources live in derived data too.
    page_published.connect(bump_content_version, dispatch_uid="bump-content-version-publish")
    page_unpublished.connect(bump_content_version, dispatch_uid="bump-content-version-unpublish")
    # Cached pages hold links and menus: a moved page changes them too.
    # Deleting a live page unpublishes it first, which the line above covers.
    post_page_move.connect(bump_content_version, dispatch_uid="bump-content-version-move")
    # A page made private (password, sign-in, groups) must leave the anonymous page cache at once.
    register_content_models(PageViewRestriction, m2m_through=(PageViewRestriction.groups.through,))
