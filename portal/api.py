"""The one REST router: every app's endpoints under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from comparisons.api import views as comparisons
from decisions.api import views as decisions

router = DefaultRouter()
router.register("frameworks", comparisons.FrameworkViewSet, basename="framework")
router.register("aspects", comparisons.AspectViewSet, basename="aspect")
router.register("scenarios", comparisons.ScenarioViewSet, basename="scenario")
router.register("questions", comparisons.QuestionViewSet, basename="question")
router.register("decisions", decisions.DecisionViewSet, basename="decision")

urlpatterns = [
    path("matrix/", comparisons.MatrixView.as_view(), name="matrix"),
    path("recommendations/", comparisons.RecommendationView.as_view(), name="recommendations"),
    path("", include(router.urls)),
]


def public_endpoints(endpoints, **kwargs):
    """drf-spectacular hook: document /api/v1/ only, not Wagtail's internal admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
