from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class ComparisonsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comparisons"
    verbose_name = "Comparisons"

    def ready(self):
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from comparisons import models
        from comparisons.snapshot import bump_content_version

        for model in (
            models.Framework,
            models.Aspect,
            models.Rating,
            models.Scenario,
            models.Question,
            models.Option,
            models.OptionWeight,
        ):
            uid = f"bump-content-version-{model.__name__}"
            post_save.connect(bump_content_version, sender=model, dispatch_uid=uid + "-save")
            post_delete.connect(bump_content_version, sender=model, dispatch_uid=uid + "-delete")
        m2m_changed.connect(
            bump_content_version,
            sender=models.Option.scenarios.through,
            dispatch_uid="bump-content-version-option-scenarios",
        )
        # Guide URLs and rating sources live in the snapshot too.
        page_published.connect(bump_content_version, dispatch_uid="bump-content-version-publish")
        page_unpublished.connect(bump_content_version, dispatch_uid="bump-content-version-unpublish")
        # Cached pages hold links and menus: a moved page changes them too.
        # Deleting a live page unpublishes it first, which the line above covers.
        post_page_move.connect(bump_content_version, dispatch_uid="bump-content-version-move")
