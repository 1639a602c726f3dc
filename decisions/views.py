import json
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.decorators.http import require_POST

from comparisons.answers import (
    chooser_query,
    constraints_to_dict,
    describe_answers,
    describe_result,
    describe_settings,
)
from comparisons.engine import InvalidInput
from comparisons.snapshot import get_snapshot
from decisions import attention, services
from decisions.exports import decision_as_dict, decision_as_markdown
from decisions.forms import DecisionCreateForm, DecisionEditForm, DecisionSearchForm
from decisions.models import Decision

PER_PAGE = 20
SHARE_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def owned_decision(request, pk) -> Decision:
    """The one way pages fetch a decision: someone else's is a 404, never a 403."""
    return get_object_or_404(Decision.objects.owned_by(request.user).with_snapshots().with_notices(), pk=pk)


@login_required
def decision_list(request):
    form = DecisionSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    decisions = Decision.objects.owned_by(request.user).with_snapshots().search(query)
    attention_only = request.GET.get("attention") == "1"
    # The filter is a list (reasons come partly from the engine snapshot); both page the same.
    decisions = attention.needing_attention(decisions) if attention_only else decisions.with_notices()
    page = Paginator(decisions, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "pages/decisions/list.html",
        {
            "page_obj": page,
            "search_form": form,
            "title_query": query,
            "attention_only": attention_only,
            "drifts": services.drift_for(page.object_list),
            "attention": attention.attention_for(page.object_list),
            "meta_description": "Your saved framework decisions.",
        },
    )


class DecisionCreateView(LoginRequiredMixin, View):
    """Save a chooser result: the answers arrive in the query string, the result is recomputed."""

    template_name = "pages/decisions/new.html"

    def dispatch(self, request, *args, **kwargs):
        self.snapshot = get_snapshot()
        self.query = chooser_query(self.snapshot, request.GET)
        self.answers = self.query.answers
        return super().dispatch(request, *args, **kwargs)

    def settings(self) -> dict:
        """The chooser's must-haves, own weights and constraints from the permalink."""
        return {
            "must_have": list(self.query.must_have),
            "tuned_weights": self.query.own_weights,
            "constraints": constraints_to_dict(self.query.constraints),
        }

    def evaluate(self):
        if self.query.errors:
            raise InvalidInput({"query": list(self.query.errors)})
        return services.decision_evaluate(answers=self.answers, **self.settings(), snapshot=self.snapshot)

    def get(self, request):
        try:
            evaluation = self.evaluate()
        except InvalidInput as error:
            return self.render_invalid(error)
        recommended = evaluation.result["ranking"][0]
        form = DecisionCreateForm(
            snapshot=self.snapshot,
            initial={
                "title": f"{recommended['name']} for our next project",
                "chosen_framework": recommended["framework"],
            },
        )
        return self.render_form(form, evaluation)

    def post(self, request):
        try:
            evaluation = self.evaluate()
        except InvalidInput as error:
            return self.render_invalid(error)
        form = DecisionCreateForm(request.POST, snapshot=self.snapshot)
        if not form.is_valid():
            return self.render_form(form, evaluation, status=400)
        decision = services.decision_create(
            owner=request.user, answers=self.answers, **self.settings(), **form.cleaned_data
        )
        messages.success(request, "Decision saved.")
        return redirect(decision)

    def render_form(self, form, evaluation, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "result": evaluation.result,
                "answer_list": describe_answers(self.snapshot, self.answers)
                + describe_settings(self.snapshot, **self.settings()),
                "query": self.query.to_query(),
            },
            status=status,
        )

    def render_invalid(self, error):
        return render(
            self.request,
            self.template_name,
            {"errors": error.messages, "query": self.query.to_query()},
            status=400,
        )


def _detail_context(decision, snapshot):
    saved = decision.latest_snapshot
    return {
        "decision": decision,
        "saved": saved,
        "shown": describe_result(snapshot, saved.result) if saved else None,
        "history": list(decision.snapshots.all())[1:],
        "answer_list": describe_answers(snapshot, decision.answers)
        + describe_settings(snapshot, decision.must_have, decision.tuned_weights, decision.constraints),
        "chosen_name": next(
            (f.name for f in snapshot.frameworks if f.slug == decision.chosen_framework),
            decision.chosen_framework,
        ),
        "drift": services.drift_for([decision], snapshot).get(decision.pk),
        "attention": attention.attention_for([decision], snapshot).get(decision.pk, []),
    }


@login_required
def decision_detail(request, pk):
    decision = owned_decision(request, pk)
    context = _detail_context(decision, get_snapshot())
    context["owner_view"] = True
    return render(request, "pages/decisions/detail.html", context)


def decision_shared(request, token):
    # Only a token's own alphabet reaches the database (PostgreSQL refuses a NUL byte with an error).
    if not SHARE_TOKEN.fullmatch(token):
        raise Http404("No such shared decision.")
    decision = get_object_or_404(Decision.objects.shared(token).with_snapshots().with_notices())
    context = _detail_context(decision, get_snapshot())
    context["owner_view"] = request.user.is_authenticated and decision.owner_id == request.user.pk
    response = render(request, "pages/decisions/detail.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def decision_edit(request, pk):
    decision = owned_decision(request, pk)
    snapshot = get_snapshot()
    form = DecisionEditForm(request.POST or None, instance=decision, snapshot=snapshot)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Decision updated.")
            return redirect(decision)
        return render(request, "pages/decisions/edit.html", {"form": form, "decision": decision}, status=400)
    return render(request, "pages/decisions/edit.html", {"form": form, "decision": decision})


@login_required
def decision_delete(request, pk):
    decision = owned_decision(request, pk)
    if request.method == "POST":
        decision.delete()
        messages.success(request, f"Deleted “{decision.title}”.")
        return redirect("decisions:list")
    return render(request, "pages/decisions/delete.html", {"decision": decision})


@login_required
@require_POST
def decision_share(request, pk):
    decision = owned_decision(request, pk)
    shared = request.POST.get("shared") == "1"
    services.decision_set_sharing(decision=decision, shared=shared)
    messages.success(request, "Read-only link turned on." if shared else "Read-only link turned off.")
    return redirect(decision)


@login_required
@require_POST
def decision_mark_reviewed(request, pk):
    decision = owned_decision(request, pk)
    attention.decision_mark_reviewed(decision=decision)
    messages.success(request, "Marked as reviewed: today's reasons will not be flagged again.")
    return redirect(decision)


@login_required
@require_POST
def decision_reevaluate(request, pk):
    decision = owned_decision(request, pk)
    try:
        services.decision_reevaluate(decision=decision)
    except InvalidInput:
        messages.error(request, "Today's chooser no longer has every answer this decision used.")
    else:
        messages.success(request, "Re-evaluated on today's matrix; the earlier result is kept below.")
    return redirect(decision)


@login_required
def decision_export(request, pk, fmt):
    decision = owned_decision(request, pk)
    if fmt == "md":
        response = HttpResponse(decision_as_markdown(decision), content_type="text/markdown; charset=utf-8")
    elif fmt == "json":
        response = HttpResponse(
            json.dumps(decision_as_dict(decision), indent=2, ensure_ascii=False),
            content_type="application/json",
        )
    else:
        raise Http404("Unknown export format.")
    response["Content-Disposition"] = f'attachment; filename="decision-{decision.pk}.{fmt}"'
    return response


@login_required
def decisions_export_all(request):
    decisions = Decision.objects.owned_by(request.user).with_snapshots()
    payload = {
        "exported_for": request.user.email or request.user.get_username(),
        "decisions": [decision_as_dict(decision) for decision in decisions],
    }
    response = HttpResponse(
        json.dumps(payload, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="stackfit-decisions.json"'
    return response
