from django.urls import path

from comparisons import views
from core.page_cache import cache_anonymous_page

app_name = "comparisons"

urlpatterns = [
    path(
        "compare/",
        cache_anonymous_page(views.CompareView.as_view(), query_params=("fw", "diff")),
        name="compare",
    ),
    path("scenarios/", cache_anonymous_page(views.ScenariosView.as_view()), name="scenarios"),
    path("chooser/", views.ChooserView.as_view(), name="chooser"),
]
