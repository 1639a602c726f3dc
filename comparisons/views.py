from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import quote_etag
from django.views.decorators.http import condition, require_safe
from django.views.generic import TemplateView

from comparisons.answers import answers_from_query, answers_to_query, describe_flip
from comparisons.colours import HEX_COLOUR
from comparisons.engine import InvalidInput, recommend, result_to_dict, validate_input
from comparisons.matrix import build_matrix
from comparisons.models import Aspect, Framework, Question, Scenario
from comparisons.snapshot import get_snapshot
from core.content_version import content_state
from core.page_cache import cache_anonymous_page


class CompareView(TemplateView):
    """The whole matrix, or the frameworks named by ?fw=slug (repeatable, shareable)."""

    template_name = "pages/compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        frameworks = list(Framework.objects.published().with_ratings().with_facts())
        requested = self.request.GET.getlist("fw")
        known = {f.slug for f in frameworks}
        selected = [f for f in frameworks if f.slug in requested] or frameworks
        matrix = build_matrix(selected, list(Aspect.objects.published()))
        only_differences = self.request.GET.get("diff") == "1" and len(selected) > 1
        if only_differences:
            matrix["rows"] = [row for row in matrix["rows"] if row["differs"]]
        context.update(
            all_frameworks=frameworks,
            selected_slugs={f.slug for f in selected},
            unknown_slugs=[slug for slug in requested if slug not in known],
            matrix=matrix,
            only_differences=only_differences,
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

    Without JavaScript the form posts here and is redirected to a shareable
    GET URL carrying the answers (?project=ml&needs=admin), which renders the
    result. With JavaScript the page asks the REST endpoint and updates the URL.
    """

    template_name = "pages/chooser.html"

    def get(self, request, *args, **kwargs):
        return self.render_answers(request.GET)

    def post(self, request, *args, **kwargs):
        snapshot = get_snapshot()
        raw = answers_from_query(snapshot, request.POST)
        try:
            validate_input(snapshot, raw, {})
        except InvalidInput:
            return self.render_answers(request.POST, status=400)
        # 303 See Other: the browser follows with a GET, so the result URL is shareable.
        response = HttpResponseRedirect(f"{reverse('comparisons:chooser')}?{answers_to_query(raw)}#result")
        response.status_code = 303
        return response

    def render_answers(self, data, status=200):
        snapshot = get_snapshot()
        raw = answers_from_query(snapshot, data)
        context = self.get_context_data(
            questions=Question.objects.published().with_options(),
            selected={slug: set(options) for slug, options in raw.items()},
            meta_description="Answer a few questions about your project and get a ranked, "
            "explained recommendation of the Python web framework that fits it.",
        )
        if raw or status != 200:
            try:
                answers, weights = validate_input(snapshot, raw, {})
            except InvalidInput as error:
                context["errors"] = error.messages
                status = 400
            else:
                result = result_to_dict(recommend(snapshot, answers, weights))
                context.update(
                    result=result,
                    flip_changes=describe_flip(snapshot, result["flip"]),
                    share_query=answers_to_query(raw),
                )
        return self.render_to_response(context, status=status)


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
