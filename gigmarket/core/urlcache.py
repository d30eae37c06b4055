"""URLs reversed once per process: `url_for(name)` and `url_for(name, pk)`.

A list page reversed one URL per row (`{% url 'markets:detail' m.pk %}`) and ~35 for the
navigation on every request; Django's `reverse()` walks the resolver and re-checks the
converters each time (about 0.1 ms here, the largest single item of a list page's
Python). A URL that takes no argument, or one integer, is the same text around that
integer every time: it is reversed once per (URLconf, script prefix, name) and then
formatted. Any other URL goes through `{% url %}` / `reverse()` as before.
"""

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Reversed in place of the argument and then cut out: a number no route contains.
_SENTINEL = "918273645"
_patterns = {}


def url_for(name, pk=None):
    """reverse(name) or reverse(name, args=[pk]) for an integer pk, from a cached pattern."""
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name, pk is None)
    pattern = _patterns.get(key)
    if pattern is None:
        pattern = _patterns[key] = _pattern(name, with_pk=pk is not None)
    if pk is None:
        return pattern
    pk = int(pk)  # never text: the cached pattern only holds for a number
    if pk < 0:
        raise ValueError(f"url_for({name!r}): a primary key is not negative, got {pk}")
    head, tail = pattern
    return f"{head}{pk}{tail}"


def _pattern(name, *, with_pk):
    if not with_pk:
        return reverse(name)
    url = reverse(name, args=[int(_SENTINEL)])
    head, found, tail = url.partition(_SENTINEL)
    if not found or _SENTINEL in tail:
        raise ValueError(f"url_for({name!r}): the route does not place its one argument in the path once")
    return head, tail
