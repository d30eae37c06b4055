"""Form widgets shared by the apps."""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


def _attrs(attrs):
    """Attributes as Django's `attrs.html` writes them: in order, True as a bare name, False left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", k) if v is True else format_html(' {}="{}"', k, v),)
            for k, v in attrs.items()
            if v is not False
        ),
    )


class FastSelect(forms.Select):
    """A <select> rendered in Python instead of one template include per <option>.

    Django renders each option through `select_option.html`; a filter bar with the 88
    counties, the 市州 and the trades spends ~9 ms per page on that (measured on the
    market list). The markup is Django's, without the whitespace between tags:
    `get_context` still builds the attributes, the selected flags and the groups.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "", '<option value="{}"{}>{}</option>', ((o["value"], _attrs(o["attrs"]), o["label"]) for o in options)
            )
            if group_name:
                rendered = format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered)
            parts.append(rendered)
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], _attrs(widget["attrs"]), mark_safe("".join(parts))
        )
