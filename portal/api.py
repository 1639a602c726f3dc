"""The one REST router: every app's endpoints under /api/v1/."""

from django.urls import include, path, re_path
from rest_framework.exceptions import NotFound
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from comparisons.api import views as comparisons
from decisions.api import views as decisions

router = DefaultRouter()
router.register("frameworks", comparisons.FrameworkViewSet, basename="framework")
router.register("aspects", comparisons.AspectViewSet, basename="aspect")
router.register("scenarios", comparisons.ScenarioViewSet, basename="scenario")
router.register("questions", comparisons.QuestionViewSet, basename="question")
router.register("companions", comparisons.CompanionViewSet, basename="companion")
router.register("decisions", decisions.DecisionViewSet, basename="decision")


class NotFoundView(APIView):
    """A JSON 404 for any other path under /api/v1/, where Django would answer with an HTML page."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound


urlpatterns = [
    path("matrix/", comparisons.MatrixView.as_view(), name="matrix"),
    path("recommendations/", comparisons.RecommendationView.as_view(), name="recommendations"),
    path("", include(router.urls)),
    # Only paths with the trailing slash, so CommonMiddleware still redirects /api/v1/matrix.
    re_path(r"^.*/$", NotFoundView.as_view(), name="not-found"),
]


def public_endpoints(endpoints, **kwargs):
    """drf-spectacular hook: document /api/v1/ only, not Wagtail's internal admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
