from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import quote_etag
from django.views.decorators.http import condition, require_safe
from django.views.generic import TemplateView

from comparisons.answers import (
    chooser_query,
    describe_flip,
    describe_result,
    engine_weights,
    implied_weights,
    need_aspects,
    python_versions,
    recommend_with,
)
from comparisons.colours import HEX_COLOUR
from comparisons.engine import (
    WEIGHT_LIMIT,
    InvalidInput,
    result_to_dict,
    validate_input,
)
from comparisons.matrix import build_matrix
from comparisons.models import Aspect, Companion, Framework, Question, Scenario
from comparisons.snapshot import get_snapshot
from core.content_version import content_state
from core.page_cache import cache_anonymous_page


class CompareView(TemplateView):
    """The whole matrix, or the frameworks named by ?fw=slug (repeatable, shareable)."""

    template_name = "pages/compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        frameworks = list(Framework.objects.published().with_ratings())
        requested = self.request.GET.getlist("fw")
        known = {f.slug for f in frameworks}
        selected = [f for f in frameworks if f.slug in requested] or frameworks
        matrix = build_matrix(selected, list(Aspect.objects.published()))
        companions = list(Companion.objects.published().with_coverage())
        only_differences = self.request.GET.get("diff") == "1" and len(selected) > 1
        if only_differences:
            matrix["rows"] = [row for row in matrix["rows"] if row["differs"]]
        context.update(
            all_frameworks=frameworks,
            selected_slugs={f.slug for f in selected},
            unknown_slugs=[slug for slug in requested if slug not in known],
            matrix=matrix,
            only_differences=only_differences,
            companion_columns=[
                (framework, [c for c in companions if framework in c.frameworks.all()])
                for framework in selected
            ],
            guide_urls=Framework.objects.published().guide_urls(self.request),
            meta_description=f"{_names(frameworks)} compared aspect by aspect, "
            "with a score and a reason for every cell.",
        )
        return context


class ScenariosView(TemplateView):
    template_name = "pages/scenarios.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scenarios = list(Scenario.objects.published().with_framework())
        context.update(
            cheat_sheet=[s for s in scenarios if s.in_cheat_sheet],
            more_scenarios=[s for s in scenarios if not s.in_cheat_sheet],
            guide_urls=Framework.objects.published().guide_urls(self.request),
            meta_description="Which Python web framework fits which situation: "
            "the decision cheat sheet, with the reason behind every row.",
        )
        return context


class ChooserView(TemplateView):
    """The chooser: questions as steps, and the explained result from the same engine as the API.

    Without JavaScript the form posts here and is redirected to a shareable GET URL
    carrying the answers, must-haves, own weights and constraints
    (?project=ml&needs=admin&must=admin&weight_performance=2&python=3.12), which renders
    the result. With JavaScript the page fetches that same URL and swaps the result in.
    """

    template_name = "pages/chooser.html"

    def get(self, request, *args, **kwargs):
        return self.render_answers(request.GET)

    def post(self, request, *args, **kwargs):
        snapshot = get_snapshot()
        query = chooser_query(snapshot, request.POST)
        try:
            validate_input(snapshot, query.answers, query.own_weights)
        except InvalidInput:
            return self.render_answers(request.POST, status=400)
        if query.errors:
            return self.render_answers(request.POST, status=400)
        # 303 See Other: the browser follows with a GET, so the result URL is shareable.
        response = HttpResponseRedirect(f"{reverse('comparisons:chooser')}?{query.to_query()}#result")
        response.status_code = 303
        return response

    def render_answers(self, data, status=200):
        snapshot = get_snapshot()
        query = chooser_query(snapshot, data)
        implied = implied_weights(snapshot, query.answers)
        context = self.get_context_data(
            questions=chooser_form_rows(snapshot, query),
            tuning=tuning_rows(snapshot, query, implied),
            python_versions=python_versions(snapshot),
            constraints=query.constraints,
            tuning_open=bool(query.own_weights),
            meta_description="Answer a few questions about your project and get a ranked, "
            "explained recommendation of the Python web framework that fits it.",
        )
        errors = list(query.errors)
        if not query.is_empty or status != 200:
            try:
                answers, _ = validate_input(snapshot, query.answers, query.own_weights)
            except InvalidInput as error:
                errors = error.messages + errors
            if errors:
                context["errors"] = errors
                status = 400
            else:
                weights = engine_weights(snapshot, answers, query.own_weights)
                result = result_to_dict(
                    recommend_with(
                        snapshot, answers, weights, must_have=query.must_have, constraints=query.constraints
                    )
                )
                context.update(
                    result=result,
                    shown=describe_result(snapshot, result, query),
                    flip_changes=describe_flip(snapshot, result["flip"]),
                    share_query=query.to_query(),
                )
        return self.render_to_response(context, status=status)


def chooser_form_rows(snapshot, query):
    """The published questions for the form, each option with its need aspect (if any) and state."""
    needs = need_aspects(snapshot)
    rows = []
    for question in Question.objects.published().with_options():
        chosen = set(query.answers.get(question.slug, ()))
        options = [
            {
                "option": option,
                "checked": option.slug in chosen,
                "need": needs.get((question.slug, option.slug), ""),
                "must": needs.get((question.slug, option.slug), "") in query.must_have,
            }
            for option in question.options.all()
        ]
        rows.append({"question": question, "options": options})
    return rows


def tuning_rows(snapshot, query, implied):
    """One Fine-tune row per scored aspect: the implied weight and the decider's own, if any."""
    return [
        {
            "aspect": aspect,
            "implied": f"{implied.get(aspect.slug, 0.0):+g}",
            "own": query.own_weights.get(aspect.slug),
            "choices": range(-WEIGHT_LIMIT, WEIGHT_LIMIT + 1),
        }
        for aspect in snapshot.aspects
        if aspect.numeric
    ]


def _names(frameworks) -> str:
    """The frameworks' names joined for page copy ("A, B and C"), however many there are."""
    names = [framework.name for framework in frameworks]
    if len(names) < 2:
        return "".join(names) or "Python web frameworks"
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _stylesheet_etag(request) -> str:
    token, _ = content_state()
    return quote_etag(f"fw-{token:x}")


@require_safe
@condition(etag_func=_stylesheet_etag)
@cache_anonymous_page
def frameworks_css(request):
    """Each framework's colour as CSS custom properties on `.fw-<slug>`, so no page needs inline styles."""
    rules = [
        f".fw-{slug}{{--fw-colour:{colour};--fw-text:{colour}}}"
        for slug, colour in Framework.objects.values_list("slug", "colour")
        # Only well-formed colours: the value is written into CSS as it is.
        if HEX_COLOUR.match(colour or "")
    ]
    response = HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")
    # Browsers revalidate on every page; the ETag makes that a 304 while nothing changed.
    response["Cache-Control"] = "no-cache"
    return response
