from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from comparisons.models import Framework, Scenario

MAX_QUERY_LENGTH = 200
PAGES_PER_PAGE = 10


def search(request):
    # Control characters (a NUL especially) break database full-text parsers.
    raw = "".join(ch for ch in request.GET.get("q", "") if ch.isprintable() or ch.isspace())
    query = " ".join(raw.split())[:MAX_QUERY_LENGTH]
    context = {"search_query": query, "meta_description": "Search the Stackfit guide and matrix."}
    if query:
        backend = get_search_backend()
        pages = Page.objects.live().public().specific().search(query)
        context.update(
            pages=Paginator(pages, PAGES_PER_PAGE).get_page(request.GET.get("page")),
            frameworks=list(backend.search(query, Framework)[:10]),
            scenarios=list(backend.search(query, Scenario.objects.with_framework())[:10]),
        )
        context["result_count"] = (
            context["pages"].paginator.count
            + len(context["frameworks"])
            + len(context["scenarios"])
        )
    return render(request, "pages/search.html", context)
