from django.apps import AppConfig


class ComparisonsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comparisons"
    verbose_name = "Comparisons"

    def ready(self):
        from comparisons import models
        from core.content_version import register_content_models

        register_content_models(
            models.Framework,
            models.Aspect,
            models.Rating,
            models.Scenario,
            models.Question,
            models.Option,
            models.OptionWeight,
            m2m_through=(models.Option.scenarios.through,),
        )
