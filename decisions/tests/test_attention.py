from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from comparisons.engine import AdvisoryInfo, FactsInfo
from comparisons.models import Advisory, FrameworkFacts, ReleaseLine
from comparisons.snapshot import get_snapshot
from decisions import attention
from decisions.models import AttentionNotice, Decision, DecisionStatus
from decisions.tests.factories import UserFactory, make_decision

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 4)


def with_facts(snapshot, slug, **facts):
    frameworks = tuple(
        replace(f, facts=FactsInfo(package=slug, latest_version="9.0", **facts)) if f.slug == slug else f
        for f in snapshot.frameworks
    )
    return replace(snapshot, frameworks=frameworks)


def reasons_of(decision, snapshot, today=TODAY):
    decision = Decision.objects.with_notices().get(pk=decision.pk)
    return attention.attention_for([decision], snapshot, today=today).get(decision.pk, [])


def test_review_date_reached_flags_the_decision(user):
    decision = make_decision(user, review_by=TODAY + timedelta(days=1))
    snapshot = get_snapshot()
    assert reasons_of(decision, snapshot) == []
    reasons = reasons_of(decision, snapshot, today=TODAY + timedelta(days=1))
    assert [(r.reason, r.key) for r in reasons] == [("review_due", "review_by:2026-12-05")]
    assert reasons[0].detail == "Its review date, 2026-12-05, has come."


def test_support_ending_within_ninety_days_flags_the_chosen_framework_only(user):
    chosen = make_decision(user, chosen_framework="django")
    other = make_decision(user, chosen_framework="flask")
    soon = with_facts(get_snapshot(), "django", supported_until=(TODAY + timedelta(days=90)).isoformat())
    later = with_facts(get_snapshot(), "django", supported_until=(TODAY + timedelta(days=91)).isoformat())
    assert [r.detail for r in reasons_of(chosen, soon)] == ["Support for Django ends on 2027-03-04."]
    assert reasons_of(other, soon) == []
    assert reasons_of(chosen, later) == []


def test_open_advisory_flags_with_its_id(user):
    decision = make_decision(user, chosen_framework="django")
    advisory = AdvisoryInfo("PYSEC-2026-1", "SQL injection in a lookup.", ("9.0.1",), "https://example.org/a")
    snapshot = with_facts(get_snapshot(), "django", advisories=(advisory,))
    (reason,) = reasons_of(decision, snapshot)
    assert (reason.reason, reason.key) == ("advisory", "advisory:django:PYSEC-2026-1")
    assert reason.detail == (
        "Advisory PYSEC-2026-1 affects Django 9.0: SQL injection in a lookup. Fixed in 9.0.1."
    )


def test_superseded_and_rejected_decisions_are_not_flagged(user):
    for status in (DecisionStatus.SUPERSEDED, DecisionStatus.REJECTED):
        decision = make_decision(user, status=status, review_by=TODAY)
        assert reasons_of(decision, get_snapshot()) == []


def test_marking_reviewed_acknowledges_todays_reasons_but_not_new_ones(user):
    decision = make_decision(user, review_by=date(2020, 1, 1))
    attention.decision_mark_reviewed(decision=decision)
    decision.refresh_from_db()
    assert decision.reviewed_at is not None
    assert reasons_of(decision, get_snapshot()) == []
    notice = AttentionNotice.objects.get(decision=decision)
    assert (notice.key, notice.notified_at) == ("review_by:2020-01-01", None)

    decision.review_by = date(2021, 1, 1)
    decision.save()
    assert [r.key for r in reasons_of(decision, get_snapshot())] == ["review_by:2021-01-01"]


def test_check_mails_each_owner_once_per_reason(user):
    today = timezone.localdate()
    due = make_decision(user, title="Billing", review_by=today)
    make_decision(user, title="Not yet", chosen_framework="flask", review_by=today + timedelta(days=3))
    other = UserFactory()
    theirs = make_decision(other, title="Theirs", chosen_framework="django")
    advisory = AdvisoryInfo("GHSA-xxxx-yyyy-zzzz", "Header injection.")
    snapshot = with_facts(get_snapshot(), "django", advisories=(advisory,))

    report = attention.check_decisions(snapshot=snapshot)

    # The seeded chooser recommends django for the factory's answers, so "Billing" has both reasons.
    assert due.chosen_framework == "django"
    assert (report.flagged, report.emails, report.notices) == (2, 2, 3)
    by_recipient = {message.to[0]: message for message in mail.outbox}
    mine = by_recipient[user.email]
    assert mine.subject == "[Stackfit] 1 decision to revisit"
    assert "Billing\nhttp://testserver" + due.get_absolute_url() in mine.body
    assert "Its review date" in mine.body and "GHSA-xxxx-yyyy-zzzz" in mine.body
    assert "Not yet" not in mine.body
    assert "Theirs" in by_recipient[other.email].body and "Billing" not in by_recipient[other.email].body
    assert AttentionNotice.objects.filter(decision=theirs, notified_at__isnull=False).count() == 1

    again = attention.check_decisions(snapshot=snapshot)
    assert (again.flagged, again.emails, again.notices) == (2, 0, 0)
    assert len(mail.outbox) == 2


def test_a_failed_send_records_nothing_so_the_next_run_retries(user, monkeypatch):
    make_decision(user, review_by=timezone.localdate())

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(attention, "send_mail", broken)
    with pytest.raises(OSError):
        attention.check_decisions()
    assert not AttentionNotice.objects.exists()
    monkeypatch.undo()
    assert attention.check_decisions().emails == 1


def test_needing_attention_filter_costs_the_same_queries_for_more_decisions(user, django_assert_num_queries):
    today = timezone.localdate()
    for n in range(2):
        make_decision(user, title=f"Due {n}", review_by=today)
    attention.decision_mark_reviewed(decision=make_decision(user, title="Seen", review_by=today))
    snapshot = get_snapshot()

    def run():
        return attention.needing_attention(Decision.objects.owned_by(user), snapshot, today=today)

    with django_assert_num_queries(2) as first:
        assert sorted(d.title for d in run()) == ["Due 0", "Due 1"]
    for n in range(5):
        make_decision(user, title=f"More {n}", review_by=today)
    with django_assert_num_queries(len(first.captured_queries)):
        assert len(run()) == 7


def test_facts_written_by_the_refresh_reach_decisions_through_the_snapshot(user):
    decision = make_decision(user, title="Storefront", chosen_framework="django")
    assert attention.check_decisions().notices == 0

    facts = FrameworkFacts.objects.get(framework__slug="django")
    Advisory.objects.create(
        facts=facts, advisory_id="PYSEC-2099-7", summary="A crafted header.", fixed_in=["9.9"]
    )
    lines = ReleaseLine.objects.filter(framework__slug="django", lts=True, end_of_support__isnull=False)
    for line in lines:
        line.end_of_support = timezone.localdate() + timedelta(days=30)
        line.save()

    report = attention.check_decisions()
    assert (report.flagged, report.emails, report.notices) == (1, 1, 2)
    (message,) = mail.outbox
    assert "Storefront" in message.body and "PYSEC-2099-7" in message.body
    assert f"Support for Django ends on {timezone.localdate() + timedelta(days=30)}" in message.body
    reasons = {notice.reason for notice in decision.attention_notices.all()}
    assert reasons == {attention.ADVISORY, attention.SUPPORT_ENDING}
