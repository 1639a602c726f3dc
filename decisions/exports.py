"""A decision as JSON (everything, with its history) or as a MADR Markdown record."""

from comparisons.engine import Snapshot
from comparisons.snapshot import get_snapshot
from decisions.api.serializers import DecisionExportSerializer
from decisions.madr import render_madr
from decisions.models import Decision


def decision_as_dict(decision: Decision) -> dict:
    """Everything about a decision, its whole history included, ready for json.dumps."""
    return DecisionExportSerializer(decision).data


def decision_as_markdown(decision: Decision, snapshot: Snapshot | None = None) -> str:
    snapshot = snapshot or get_snapshot()
    saved = decision.latest_snapshot
    questions = {q.slug: (q.prompt, {o.slug: o.label for o in q.options}) for q in snapshot.questions}
    return render_madr(
        title=decision.title,
        status=decision.get_status_display(),
        date=decision.created_at.date().isoformat(),
        answers=decision.answers,
        questions=questions,
        result=saved.result,
        aspect_names={a.slug: a.name for a in snapshot.aspects},
        chosen_framework=decision.chosen_framework,
        chosen_reason=decision.chosen_reason,
        notes=decision.notes,
        fingerprint=saved.fingerprint,
        must_have=decision.must_have,
        tuned_weights=decision.tuned_weights,
        constraints=decision.constraints,
        stack=decision.stack,
        review_by=decision.review_by.isoformat() if decision.review_by else "",
    )
