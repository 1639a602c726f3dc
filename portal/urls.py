from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView, TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from core.page_cache import cache_anonymous_page
from portal import views
from portal.sitemaps import SITEMAPS


def superusers_only(request):
    return request.user.is_active and request.user.is_superuser


# Editors are staff for Wagtail; the Django admin is kept for superusers only.
admin.site.has_permission = superusers_only
# One sign-in for everyone, so rate limits and two-factor cannot be sidestepped.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="wagtailadmin_login_redirect",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include(("portal.api", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("search/", views.search, name="search"),
    path("account/", views.account, name="account"),
    path("account/tokens/<int:pk>/revoke/", views.revoke_token, name="revoke-token"),
    path("account/delete/", views.delete_account, name="delete-account"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("accounts/", include("allauth.urls")),
    path("", include("comparisons.urls")),
    path("", include("decisions.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves every remaining path from the page tree; it must stay last.
# Its page view is wrapped in the anonymous page cache (same pattern and name).
urlpatterns += [
    re_path(wagtail_urls.serve_pattern, cache_anonymous_page(wagtail_views.serve), name="wagtail_serve"),
    path("", include(wagtail_urls)),
]

# A database outage is answered with 503 and Retry-After rather than a 500.
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
