"""What the site search covers besides Wagtail pages.

Each feature app registers its searchable models from its AppConfig.ready, so the
search view and its template never name them: a new searchable model is one
`register_search_source` call and one result template.
"""

from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class SearchSource:
    name: str
    heading: str
    queryset: QuerySet
    result_template: str
    limit: int = 10


_sources: dict[str, SearchSource] = {}


def register_search_source(
    name: str, *, heading: str, queryset: QuerySet, result_template: str, limit: int = 10
) -> None:
    """Add a section to the search results, after those registered before it.

    `name` is the section's key in the template context; `queryset` must be over a
    model indexed by wagtail.search; `result_template` renders one `result`.
    """
    _sources[name] = SearchSource(name, heading, queryset, result_template, limit)


def search_sources() -> list[SearchSource]:
    return list(_sources.values())
