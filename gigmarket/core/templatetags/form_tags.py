"""Form fields rendered in Python, with the markup crispy-bootstrap5 gives them (issue 19).

`{% bs_field form.name %}` is `{{ form.name|as_crispy_field }}`, and `{% bs_form form %}` is
`{{ form|crispy }}`: the same tags, attributes, classes, ids, values and texts, without
crispy's `field.html` (a dozen includes per field) or Django's per-widget and per-option
templates. On the 补充信息 page those were most of the render time.

What it takes from Django is Django's own Python: `BoundField.value()`,
`build_widget_attrs()` (required, disabled, aria-invalid, aria-describedby),
`Widget.format_value()`, `Widget.use_required_attribute()`, the select-once rule of
`Select.optgroups()` and `ChoiceWidget.optgroups()` for radios and check boxes; only the
templates are replaced. Escaping is the templates': every value, label, name, id and error
goes through `conditional_escape` (`format_html`), help text is shown as given (crispy
marks it `|safe`, as Django's own form templates do).

The widgets it renders are listed in `_RENDERERS`, by exact class: a subclass may render
itself differently (`FastSelect`, a custom template). Any other field — a file input, a
multi-widget, a password, a field with `show_hidden_initial`, a form with a crispy
`helper` — is handed to crispy's `as_crispy_field`, unchanged.

`{% bs_inline_checks form.trades %}` is the 求职工种 block `registry/_trades_field.html` drew:
a fieldset of inline check boxes, errors below.

The markup has the whitespace crispy's templates have wherever they have some (runs of
spaces and newlines are one newline here); `tests/core/test_form_tags.py` compares the two.
"""

import re

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms, template
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.template.defaultfilters import unordered_list
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from gigmarket.core.widgets import html_attrs

register = template.Library()


def _text(value):
    """A label as `{{ label }}` shows it: a string as it is, a number or date localised."""
    return value if isinstance(value, str) else localize(value)


def _with_class(field, extra):
    """The widget's attributes with crispy's classes added, as `{% crispy_field %}` adds
    them (`textinput form-control`, then `is-invalid`), without changing the widget."""
    widget = field.field.widget
    class_name = type(widget).__name__.lower()
    class_name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(class_name, class_name)
    css = widget.attrs.get("class", "")
    if css:
        if css.find(class_name) == -1:
            css += f" {class_name}"
    else:
        css = class_name
    have = css.split()
    for name in extra.split():
        if name not in have:
            css += f" {name}"
            have.append(name)
    return {**widget.attrs, "class": css}


def _widget_attrs(field, base):
    """What `BoundField.as_widget()` passes to `Widget.build_attrs()`: the widget's own
    attributes (`base`), then required/disabled/aria and the id."""
    widget = field.field.widget
    if field.field.localize:
        widget.is_localized = True  # as `as_widget()` does
    extra = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in base:
        extra.setdefault("id", field.auto_id)
    return extra


def _input(field, base):
    widget = field.field.widget
    attrs = {**base, **_widget_attrs(field, base)}
    value = widget.format_value(field.value())
    value = "" if value is None else format_html(' value="{}"', value)
    return format_html('<input type="{}" name="{}"{}{}>', widget.input_type, field.html_name, value, html_attrs(attrs))


def _checkbox(field, base):
    widget = field.field.widget
    attrs = _widget_attrs(field, base)
    value = field.value()
    if widget.check_test(value):
        attrs = {**attrs, "checked": True}
    value = widget.format_value(value)
    value = "" if value is None else format_html(' value="{}"', value)
    return format_html('<input type="checkbox" name="{}"{}{}>', field.html_name, value, html_attrs({**base, **attrs}))


def _textarea(field, base):
    widget = field.field.widget
    attrs = {**base, **_widget_attrs(field, base)}
    value = widget.format_value(field.value())
    return format_html('<textarea name="{}"{}>\n{}</textarea>', field.html_name, html_attrs(attrs), value or "")


def _select(field, base):
    """Django's `select.html` and `select_option.html`, newlines and indentation included;
    the selection rule is `Select.optgroups()`: the first matching option only, unless multiple."""
    widget = field.field.widget
    attrs = {**base, **_widget_attrs(field, base)}
    if widget.allow_multiple_selected:
        attrs["multiple"] = True
    wanted = set(widget.format_value(field.value()))
    multiple = widget.allow_multiple_selected
    found = False
    parts = []

    def option(value, label):
        nonlocal found
        selected = ""
        if (not found or multiple) and str(value) in wanted:
            selected, found = " selected", True
        return format_html('\n  <option value="{}"{}>{}</option>', value, selected, _text(label))

    for value, label in widget.choices:
        if value is None:
            value = ""
        if isinstance(label, (list, tuple)):
            inner = "".join(option(v, sub) for v, sub in label)
            if value:
                parts.append(format_html('\n  <optgroup label="{}">{}\n  </optgroup>', _text(value), mark_safe(inner)))
            else:
                parts.append(inner)
        else:
            parts.append(option(value, label))
    return format_html(
        '<select name="{}"{}>{}\n</select>', field.html_name, html_attrs(attrs), mark_safe("".join(parts))
    )


def _errors_block(field):
    """crispy's `field_errors_block.html`."""
    errors = field.errors
    if not errors:
        return ""
    lines = format_html_join(
        "\n",
        '<p id="error_{}_{}"><strong>{}</strong></p>',
        ((n, field.auto_id, error) for n, error in enumerate(errors, 1)),
    )
    return format_html('<div id="{}_error" class="invalid-feedback">\n{}\n</div>', errors.field_id, lines)


def _help_text(field):
    """crispy's `help_text.html` (the text is trusted, `|safe` as crispy and Django show it)."""
    if not field.help_text:
        return ""
    id_attr = format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else ""
    return format_html('<div {}class="form-text">{}</div>', id_attr, mark_safe(field.help_text))


def _label(field, tag, for_id, css=""):
    """crispy's label (or, over radios and check boxes, legend): the text, and an asterisk if required."""
    required = field.field.required
    return format_html(
        '<{}{} class="form-label{}{}">\n{}{}\n</{}>',
        tag,
        format_html(' for="{}"', for_id) if for_id else "",
        " requiredField" if required else "",
        css,
        field.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
        tag,
    )


def _wrapper_classes(field):
    css = field.css_classes()
    return f" {css}" if css else ""


def _choices_block(field):
    """crispy's `radio_checkbox_select.html`: one `form-check` per choice, in a fieldset."""
    widget = field.field.widget
    id_ = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": id_} if id_ else {})
    groups = widget.optgroups(field.html_name, widget.format_value(field.value()), attrs)
    invalid = " is-invalid" if field.errors else ""
    parts = []
    for g, (group, options, _index) in enumerate(groups, 1):
        if group:
            parts.append(format_html("<strong>{}</strong>", _text(group)))
        for n, option in enumerate(options, 1):
            last = g == len(groups) and n == len(options)
            parts.append(
                format_html(
                    '<div class="form-check">\n<input type="{}" class="form-check-input{}"  name="{}" value="{}" {}>\n'
                    '<label for="{}" class="form-check-label">\n{}\n</label>\n{}\n</div>',
                    option["type"],
                    invalid,
                    field.html_name,
                    str(option["value"]),
                    html_attrs(option["attrs"]),
                    option["attrs"].get("id", ""),
                    str(option["label"]),
                    _errors_block(field) if last else "",
                )
            )
    return format_html("<div >\n{}\n</div>\n{}", mark_safe("\n".join(parts)), _help_text(field))


def _field(field, widget_html):
    """crispy's `field.html` around a rendered widget, labels shown, no layout classes."""
    label = ""
    if field.label:
        label = _label(field, "label", field.id_for_label)
    return format_html(
        '<div id="div_{}" class="mb-3{}">\n{}\n{}\n{}\n{}\n</div>',
        field.auto_id,
        _wrapper_classes(field),
        label,
        widget_html,
        _errors_block(field),
        _help_text(field),
    )


def _fieldset_field(field):
    """crispy's `field.html` for radios and check boxes (`use_fieldset`): a legend, then the choices."""
    if not field.label:
        wrapper = '<div id="div_{}" class="mb-3{}">\n{}\n</div>'
        return format_html(wrapper, field.auto_id, _wrapper_classes(field), _choices_block(field))
    described = field.aria_describedby
    return format_html(
        '<div id="div_{}" class="mb-3{}">\n<fieldset{}>\n{}\n{}\n</fieldset>\n</div>',
        field.auto_id,
        _wrapper_classes(field),
        format_html(' aria-describedby="{}"', described) if described else "",
        _label(field, "legend", field.id_for_label, css=" fs-6"),
        _choices_block(field),
    )


def _checkbox_field(field):
    """crispy's `field.html` for a single check box: `form-check`, the label after the box."""
    invalid = " is-invalid" if field.errors else ""
    box = _checkbox(field, _with_class(field, "form-check-input" + invalid))
    required = field.field.required
    return format_html(
        '<div class="mb-3">\n<div id="div_{}" class="form-check{}">\n{}\n'
        '<label for="{}" class="form-check-label{}">\n{}{}\n</label>\n{}\n{}\n</div>\n</div>',
        field.auto_id,
        _wrapper_classes(field),
        box,
        field.id_for_label,
        " requiredField" if required else "",
        field.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
        _errors_block(field),
        _help_text(field),
    )


def _control(render, css):
    def field_html(field):
        invalid = " is-invalid" if field.errors else ""
        return _field(field, render(field, _with_class(field, css + invalid)))

    return field_html


# Exact widget classes (a subclass falls back to crispy) → how the field is drawn.
_RENDERERS = {
    forms.HiddenInput: lambda field: _input(field, field.field.widget.attrs),  # crispy: `{{ field }}`, no class
    forms.TextInput: _control(_input, "form-control"),
    forms.NumberInput: _control(_input, "form-control"),
    forms.EmailInput: _control(_input, "form-control"),
    forms.URLInput: _control(_input, "form-control"),
    forms.DateInput: _control(_input, "form-control"),
    forms.TimeInput: _control(_input, "form-control"),
    forms.DateTimeInput: _control(_input, "form-control"),
    forms.Textarea: _control(_textarea, "form-control"),
    forms.Select: _control(_select, "form-select"),
    forms.SelectMultiple: _control(_select, "form-select"),
    forms.CheckboxInput: _checkbox_field,
    forms.RadioSelect: _fieldset_field,
    forms.CheckboxSelectMultiple: _fieldset_field,
}


def _supported(field):
    """Drawn here: a listed widget with its class's templates, on a form with Django's
    own renderer (whose widget templates cannot be overridden) and no crispy helper."""
    widget = field.field.widget
    return (
        type(widget) in _RENDERERS
        and widget.template_name == type(widget).template_name
        and getattr(widget, "option_template_name", None) == getattr(type(widget), "option_template_name", None)
        and not field.field.show_hidden_initial
        and type(field.form.renderer) is DjangoTemplates
        and getattr(field.form, "helper", None) is None
    )


def render_field(field):
    """`field|as_crispy_field`, in Python where the widget is one of `_RENDERERS`."""
    if not _supported(field):
        return as_crispy_field(field)
    html = _RENDERERS[type(field.field.widget)](field)
    return format_html("\n{}\n", html)  # crispy's template starts and ends with a newline


@register.simple_tag
def bs_field(field):
    """`{% bs_field form.name %}`: the field as `{{ form.name|as_crispy_field }}` draws it."""
    return render_field(field)


def _remove_spaces(html):
    """crispy's `{% specialspaceless %}` (crispy_forms_utils.remove_spaces)."""
    html = re.sub(r">\s{3,}<", "> <", html)
    return re.sub(r"/><", r"/> <", html)


@register.simple_tag
def bs_form(form):
    """`{% bs_form form %}`: the whole form as `{{ form|crispy }}` draws it: its
    non-field errors, then every field in order."""
    if getattr(form, "helper", None) is not None:
        return as_crispy_form(form)
    errors = ""
    if form.non_field_errors():
        errors = format_html(
            '<div class="alert alert-block alert-danger">\n<ul class="m-0">\n{}\n</ul>\n</div>\n',
            unordered_list(form.non_field_errors(), autoescape=True),
        )
    body = errors + "\n".join(render_field(field) for field in form)
    return mark_safe(f"\n\n{_remove_spaces(body.strip())}\n")  # the newlines around crispy's block


@register.simple_tag
def bs_inline_checks(field):
    """`{% bs_inline_checks form.trades %}`: check boxes side by side in a fieldset headed by
    the label, each box Django's `<input>` (what `{{ box.tag }}` draws) with its label after
    it, the errors below."""
    widget = field.field.widget
    if type(widget) is not forms.CheckboxSelectMultiple or widget.template_name != type(widget).template_name:
        raise TypeError(f"bs_inline_checks draws check boxes, not a {type(widget).__name__}")
    boxes = []
    for box in field.subwidgets:  # what `{% for box in field %}` iterates
        data = box.data
        value = "" if data["value"] is None else format_html(' value="{}"', str(data["value"]))
        boxes.append(
            format_html(
                '<div class="form-check form-check-inline"><input type="{}" name="{}"{}{}>'
                '<label class="form-check-label" for="{}">{}</label></div>',
                data["type"],
                data["name"],
                value,
                html_attrs(data["attrs"]),
                box.id_for_label,
                _text(data["label"]),
            )
        )
    errors = format_html_join("", '<div class="text-danger small">{}</div>', ((e,) for e in field.errors))
    return format_html(
        '\n<fieldset class="mb-3 registry-trades"><legend class="form-label fs-6">{}</legend>'
        "\n  {}\n  {}\n</fieldset>\n",
        field.label,
        mark_safe("".join(boxes)),
        errors,
    )
