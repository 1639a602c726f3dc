from django.urls import path

from comparisons import views
from comparisons.snapshot import get_snapshot
from core.page_cache import cache_anonymous_page

app_name = "comparisons"


def framework_slugs() -> set[str]:
    return {framework.slug for framework in get_snapshot().frameworks}


# Only real selections are cached; ?fw=<anything else> is rendered, not stored.
COMPARE_QUERY = {"fw": framework_slugs, "diff": {"1"}}


urlpatterns = [
    path(
        "compare/",
        cache_anonymous_page(views.CompareView.as_view(), query_params=COMPARE_QUERY),
        name="compare",
    ),
    path("changes/", cache_anonymous_page(views.ChangesView.as_view()), name="changes"),
    path("changes/feed/", cache_anonymous_page(views.ChangesFeed()), name="changes_feed"),
    path("scenarios/", cache_anonymous_page(views.ScenariosView.as_view()), name="scenarios"),
    path("chooser/", views.ChooserView.as_view(), name="chooser"),
    path("frameworks.css", views.frameworks_css, name="frameworks_css"),
]
