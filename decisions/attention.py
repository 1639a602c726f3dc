"""Revisit triggers: when a saved decision needs its owner's attention, and telling them once.

A decision needs attention when its review date has come, when the support of
its chosen framework ends within DECISION_SUPPORT_WARNING_DAYS (90), or when an
advisory is open on that framework's latest release. The facts come from the
engine snapshot (FrameworkInfo.facts), so this module reads no release-facts
model. Each reason has a key naming what it is about (the date, the advisory id),
and an AttentionNotice row per decision and key records that the owner was
mailed about it, and later that they marked the decision reviewed, after which
that reason is no longer flagged. A new advisory or a new review date is a new
key, so it is flagged and mailed again.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from comparisons.engine import Snapshot
from comparisons.snapshot import get_snapshot
from decisions.models import AttentionNotice, Decision, DecisionStatus

REVIEW_DUE = "review_due"
SUPPORT_ENDING = "support_ending"
ADVISORY = "advisory"
REASON_CHOICES = [
    (REVIEW_DUE, "Review date reached"),
    (SUPPORT_ENDING, "Support ends soon"),
    (ADVISORY, "Open security advisory"),
]
CHECKED_STATUSES = (DecisionStatus.PROPOSED, DecisionStatus.ACCEPTED)


@dataclass(frozen=True)
class Attention:
    reason: str
    detail: str
    key: str


def _framework_alerts(snapshot: Snapshot, today: date) -> dict[str, list[Attention]]:
    """The support and advisory reasons of each framework that has any, by slug."""
    horizon = today + timedelta(days=settings.DECISION_SUPPORT_WARNING_DAYS)
    alerts: dict[str, list[Attention]] = {}
    for framework in snapshot.frameworks:
        facts = framework.facts
        if facts is None:
            continue
        found = []
        if facts.supported_until:
            try:
                until = date.fromisoformat(facts.supported_until)
            except ValueError:
                until = None
            if until is not None and until <= horizon:
                verb = "ended" if until < today else "ends"
                found.append(
                    Attention(
                        SUPPORT_ENDING,
                        f"Support for {framework.name} {verb} on {until.isoformat()}.",
                        f"support:{framework.slug}:{until.isoformat()}",
                    )
                )
        for advisory in facts.advisories:
            detail = f"Advisory {advisory.id} affects {framework.name} {facts.latest_version}".rstrip()
            if advisory.summary:
                detail += f": {advisory.summary.rstrip('.')}"
            if advisory.fixed_in:
                detail += f". Fixed in {', '.join(advisory.fixed_in)}"
            found.append(Attention(ADVISORY, detail + ".", f"advisory:{framework.slug}:{advisory.id}"))
        if found:
            alerts[framework.slug] = found
    return alerts


def _reasons(decision: Decision, alerts: dict[str, list[Attention]], today: date) -> list[Attention]:
    if decision.status not in CHECKED_STATUSES:
        return []
    reasons = []
    if decision.review_by is not None and decision.review_by <= today:
        reasons.append(
            Attention(
                REVIEW_DUE,
                f"Its review date, {decision.review_by.isoformat()}, has come.",
                f"review_by:{decision.review_by.isoformat()}",
            )
        )
    reasons += alerts.get(decision.chosen_framework, [])
    acknowledged = {n.key for n in decision.attention_notices.all() if n.acknowledged_at is not None}
    return [reason for reason in reasons if reason.key not in acknowledged]


def attention_for(decisions, snapshot: Snapshot | None = None, *, today: date | None = None):
    """The reasons each decision needs attention now, by decision id (only those with any).

    Decisions should come with their notices prefetched (with_notices()): then the
    number of queries does not depend on how many decisions there are.
    """
    snapshot = snapshot or get_snapshot()
    today = today or timezone.localdate()
    alerts = _framework_alerts(snapshot, today)
    found = {}
    for decision in decisions:
        reasons = _reasons(decision, alerts, today)
        if reasons:
            found[decision.pk] = reasons
    return found


def needing_attention(queryset, snapshot: Snapshot | None = None, *, today: date | None = None):
    """The decisions of `queryset` that need attention, in its order, as a list.

    The database narrows them to those with a review date come or a flagged
    framework; the acknowledged reasons are then left out here.
    """
    snapshot = snapshot or get_snapshot()
    today = today or timezone.localdate()
    flagged = list(_framework_alerts(snapshot, today))
    candidates = (
        queryset.needing_review()
        .filter(Q(review_by__lte=today) | Q(chosen_framework__in=flagged))
        .with_notices()
    )
    decisions = list(candidates)
    found = attention_for(decisions, snapshot, today=today)
    return [decision for decision in decisions if decision.pk in found]


@transaction.atomic
def decision_mark_reviewed(*, decision: Decision, now: datetime | None = None) -> Decision:
    """The owner has looked at the decision: today's reasons are acknowledged and no longer flagged."""
    now = now or timezone.now()
    # Read the notices afresh, and let the caller's next read see the new ones.
    prefetched = getattr(decision, "_prefetched_objects_cache", {})
    prefetched.pop("attention_notices", None)
    for reason in attention_for([decision]).get(decision.pk, []):
        AttentionNotice.objects.update_or_create(
            decision=decision,
            key=reason.key,
            defaults={"acknowledged_at": now},
            create_defaults={
                "reason": reason.reason,
                "detail": reason.detail[:500],
                "acknowledged_at": now,
            },
        )
    prefetched.pop("attention_notices", None)
    decision.reviewed_at = now
    decision.save(update_fields=["reviewed_at", "updated_at"])
    return decision


@dataclass(frozen=True)
class CheckReport:
    flagged: int  # decisions needing attention
    notices: int  # reasons newly mailed
    emails: int  # messages sent, one per owner


def _site_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def check_decisions(*, now: datetime | None = None, snapshot: Snapshot | None = None) -> CheckReport:
    """Flag every decision that needs attention and mail each owner once about each new reason.

    One message per owner lists their decisions and reasons. An owner's notices are
    written and the message sent in one transaction: if sending fails, nothing is
    recorded and the next run tries again; a notice another run has just written
    (the unique constraint) is not mailed twice.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    snapshot = snapshot or get_snapshot()
    decisions = needing_attention(Decision.objects.select_related("owner"), snapshot, today=today)
    reasons = attention_for(decisions, snapshot, today=today)
    by_owner = defaultdict(list)
    for decision in decisions:
        by_owner[decision.owner].append(decision)

    notices = emails = 0
    for owner, owned in by_owner.items():
        if not owner.email:
            continue
        with transaction.atomic():
            items = []
            for decision in owned:
                mailed = {n.key for n in decision.attention_notices.all()}
                new = []
                for reason in reasons[decision.pk]:
                    if reason.key in mailed:
                        continue
                    try:
                        with transaction.atomic():
                            AttentionNotice.objects.create(
                                decision=decision,
                                key=reason.key,
                                reason=reason.reason,
                                detail=reason.detail[:500],
                                notified_at=now,
                            )
                    except IntegrityError:
                        continue
                    new.append(reason)
                if new:
                    items.append({"decision": decision, "reasons": new})
            if not items:
                continue
            context = {"owner": owner, "items": items, "site_url": _site_url()}
            count = len(items)
            subject = f"[Stackfit] {count} decision{'s' if count != 1 else ''} to revisit"
            send_mail(
                subject,
                render_to_string("emails/decisions_attention.txt", context),
                None,
                [owner.email],
            )
            notices += sum(len(item["reasons"]) for item in items)
            emails += 1
    return CheckReport(flagged=len(decisions), notices=notices, emails=emails)
