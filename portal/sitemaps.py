from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from wagtail.contrib.sitemaps import Sitemap as PageSitemap


class MatrixSitemap(Sitemap):
    """The matrix, cheat-sheet and change-history views, which are not Wagtail pages."""

    changefreq = "weekly"

    def items(self):
        return ["comparisons:compare", "comparisons:scenarios", "comparisons:changes"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"pages": PageSitemap, "matrix": MatrixSitemap}
