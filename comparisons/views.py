from django.views.generic import TemplateView

from comparisons.matrix import build_matrix
from comparisons.models import Aspect, Framework, Scenario
from portal.models import framework_guide_urls


class CompareView(TemplateView):
    """The whole matrix, or the frameworks named by ?fw=slug (repeatable, shareable)."""

    template_name = "pages/compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        frameworks = list(Framework.objects.with_ratings())
        requested = self.request.GET.getlist("fw")
        known = {f.slug for f in frameworks}
        selected = [f for f in frameworks if f.slug in requested] or frameworks
        matrix = build_matrix(selected, list(Aspect.objects.all()))
        only_differences = self.request.GET.get("diff") == "1" and len(selected) > 1
        if only_differences:
            matrix["rows"] = [row for row in matrix["rows"] if row["differs"]]
        context.update(
            all_frameworks=frameworks,
            selected_slugs={f.slug for f in selected},
            unknown_slugs=[slug for slug in requested if slug not in known],
            matrix=matrix,
            only_differences=only_differences,
            guide_urls=framework_guide_urls(self.request),
            meta_description="Flask, Django and FastAPI compared aspect by aspect, "
            "with a score and a reason for every cell.",
        )
        return context


class ScenariosView(TemplateView):
    template_name = "pages/scenarios.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scenarios = list(Scenario.objects.with_framework())
        context.update(
            cheat_sheet=[s for s in scenarios if s.in_cheat_sheet],
            more_scenarios=[s for s in scenarios if not s.in_cheat_sheet],
            guide_urls=framework_guide_urls(self.request),
            meta_description="Which Python web framework fits which situation: "
            "the decision cheat sheet, with the reason behind every row.",
        )
        return context
