from datetime import timedelta

from django.apps import AppConfig


class ComparisonsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comparisons"
    verbose_name = "Comparisons"

    def ready(self):
        from comparisons import models
        from core.content_version import register_content_models
        from core.search import register_search_source

        register_content_models(
            models.Framework,
            models.Aspect,
            models.Rating,
            models.Scenario,
            models.Question,
            models.Option,
            models.OptionWeight,
            models.Companion,
            models.CompanionCoverage,
            models.ReleaseLine,
            models.FrameworkFacts,
            models.Advisory,
            m2m_through=(
                models.Option.scenarios.through,
                models.Scenario.alternatives.through,
                models.Companion.frameworks.through,
                models.Companion.scenarios.through,
            ),
        )
        register_search_source(
            "frameworks",
            heading="Frameworks",
            queryset=models.Framework.objects.published(),
            result_template="components/search/framework.html",
        )
        register_search_source(
            "scenarios",
            heading="Scenarios",
            queryset=models.Scenario.objects.published().with_framework(),
            result_template="components/search/scenario.html",
        )
        register_search_source(
            "companions",
            heading="Companions",
            queryset=models.Companion.objects.published().with_coverage(),
            result_template="components/search/companion.html",
        )
        # Release facts once a day, on the worker (core/periodic.py, docs/deployment.md).
        from comparisons.tasks import refresh_facts
        from core.periodic import register_periodic_task

        register_periodic_task(refresh_facts, every=timedelta(days=1))
