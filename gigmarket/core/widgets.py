"""Form widgets shared by the apps."""

from django import forms
from django.utils.html import conditional_escape as escape
from django.utils.safestring import mark_safe


def html_attrs(attrs):
    """Attributes as Django's `attrs.html` writes them, escaped: in order, True as a bare name, False left out."""
    return mark_safe(
        "".join(
            f" {escape(k)}" if v is True else f' {escape(k)}="{escape(v)}"' for k, v in attrs.items() if v is not False
        )
    )


class FastSelect(forms.Select):
    """A <select> rendered in Python instead of one template include per <option>.

    Django renders each option through `select_option.html`, after building a context
    dict per option (`optgroups`); a filter bar with the 88 counties, the 市州 and the
    trades spent ~6 ms per page on that even with the templates gone (measured on the
    market list). The markup is Django's, without the whitespace between tags, and the
    selection rule is Django's: the first option whose value matches, one only.
    """

    def render(self, name, value, attrs=None, renderer=None):
        if self.allow_multiple_selected or type(self).create_option is not forms.Select.create_option:
            return super().render(name, value, attrs, renderer)  # what this shortcut does not cover
        wanted = set(self.format_value(value))
        found = False

        def option(option_value, label):
            nonlocal found
            option_value = str(option_value)
            selected = ""
            if not found and option_value in wanted:
                selected, found = " selected", True
            return f'<option value="{escape(option_value)}"{selected}>{escape(label)}</option>'

        parts = []
        for option_value, label in self.choices:
            if option_value is None:  # as Django's `optgroups`: a None value (or group name) is ""
                option_value = ""
            if not isinstance(label, (list, tuple)):
                parts.append(option(option_value, label))
                continue
            inner = "".join(option(v, sub) for v, sub in label)
            parts.append(f'<optgroup label="{escape(option_value)}">{inner}</optgroup>' if option_value else inner)
        attrs = html_attrs(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{attrs}>{"".join(parts)}</select>')
