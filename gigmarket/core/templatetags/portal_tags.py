"""Rendering shortcuts for the staff pages (issue 19: pages near their SQL floor).

`{% url_for 'markets:detail' m.pk %}` is `{% url %}` for a route with no argument or one
integer, from a pattern reversed once (gigmarket/core/urlcache.py).

`{% navcache user "role" "is_superuser" %}…{% endnavcache %}` renders its block once per
distinct value of the listed user attributes and reuses the HTML: the staff navigation
is the same for every user of a role, and was ~35 `reverse()` calls and five includes on
every page. The block sees only `user`, and of it only the listed attributes: reading
any other variable or attribute inside it raises, so a per-user item (a badge, a count,
a name) cannot be cached for the wrong user by accident; put those outside the block.
"""

from django import template
from django.conf import settings
from django.template.context import Context
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation

from gigmarket.core.urlcache import url_for as cached_url_for

register = template.Library()


@register.simple_tag
def url_for(name, pk=None):
    return cached_url_for(name, pk)


class NavCacheError(Exception):
    """A cached block read something it is not keyed by (see the module docstring)."""


class _KeyedUser:
    """Only the attributes a cached block is keyed by; anything else raises NavCacheError."""

    def __init__(self, values):
        self._values = values

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise NavCacheError(
                f"{{% navcache %}}: the block reads user.{name}, which is not one of its keys "
                f"{sorted(self._values)}; add it to the tag or move that part out of the block"
            ) from None


class _KeyedContext(Context):
    def __getitem__(self, name):
        try:
            return super().__getitem__(name)
        except KeyError:
            raise NavCacheError(f"{{% navcache %}}: the block reads {name!r}; it sees only `user`") from None


class NavCacheNode(template.Node):
    def __init__(self, nodelist, user, attrs):
        self.nodelist = nodelist
        self.user = user
        self.attrs = attrs
        # Per compiled template: a changed template (runserver reloads it) starts empty.
        self.rendered = {}

    def render(self, context):
        user = self.user.resolve(context)
        values = {attr: getattr(user, attr) for attr in self.attrs}
        key = (
            get_urlconf() or settings.ROOT_URLCONF,
            get_script_prefix(),
            translation.get_language(),
            context.autoescape,
            *values.values(),
        )
        html = self.rendered.get(key)
        if html is None:
            inner = _KeyedContext(
                {"user": _KeyedUser(values)},
                autoescape=context.autoescape,
                use_l10n=context.use_l10n,
                use_tz=context.use_tz,
            )
            inner.template = context.template
            html = self.rendered[key] = self.nodelist.render(inner)
        return html


@register.tag
def navcache(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError('{% navcache user "attr" … %} needs the user and at least one attribute')
    user = parser.compile_filter(bits[1])
    attrs = []
    for bit in bits[2:]:
        if bit[0] not in "\"'" or bit[-1] != bit[0]:
            raise template.TemplateSyntaxError(f"{{% navcache %}}: attribute names are quoted, got {bit}")
        attrs.append(bit[1:-1])
    nodelist = parser.parse(("endnavcache",))
    parser.delete_first_token()
    return NavCacheNode(nodelist, user, attrs)
