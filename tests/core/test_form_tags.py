"""`{% bs_field %}`, `{% bs_form %}` and `{% bs_inline_checks %}` draw what crispy-bootstrap5
(and the 求职工种 partial) drew: compared field kind by field kind, unbound, bound and valid,
bound with errors, with values and labels holding <"'&>."""

import datetime
import re

import pytest
from crispy_forms.helper import FormHelper
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.template.loader import get_template

from gigmarket.core.models import Division
from gigmarket.core.templatetags.form_tags import bs_field, bs_inline_checks, render_field
from gigmarket.core.widgets import FastSelect

NASTY = '<b>"它\'s" & 你</b>'
CHOICES = [("", "请选择"), ("a", "甲 & <乙>"), ("b", NASTY), ("c", "丙")]
GROUPED = [("", "请选择"), ("贵州 & <省>", [("gy", "贵阳市"), ("zy", "遵义市")]), ("x", "其他")]


def no_past(value):
    if value < datetime.date(2000, 1, 1):
        raise forms.ValidationError("日期不能早于 <2000> & 以前。")


class KindsForm(forms.Form):
    text = forms.CharField(label="姓名 <名>", max_length=40, widget=forms.TextInput(attrs={"autofocus": True}))
    optional_text = forms.CharField(label="地址", required=False, help_text="可不填 <b>粗</b>。")
    number = forms.DecimalField(label="期望报酬", max_digits=8, decimal_places=2, min_value=0, required=False)
    integer = forms.IntegerField(label="人数", min_value=1)
    date = forms.DateField(
        label="日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[no_past],
        help_text="默认今天。",
    )
    time = forms.TimeField(label="时间", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), required=False)
    email = forms.EmailField(label="邮箱", required=False)
    select = forms.ChoiceField(label="学历", choices=CHOICES, widget=forms.Select(attrs={"autofocus": True}))
    grouped = forms.ChoiceField(label="市州", choices=GROUPED, required=False)
    no_blank = forms.ChoiceField(label="计酬", choices=[("day", "按天"), ("hour", "按小时 & 其他")], initial="day")
    multiple = forms.MultipleChoiceField(label="证书", choices=CHOICES[1:], required=False)
    checkbox = forms.BooleanField(label="低保户 <户>", required=False, help_text="持证。")
    required_checkbox = forms.BooleanField(label="已阅读")
    radio = forms.ChoiceField(label="意向", choices=CHOICES[1:], widget=forms.RadioSelect)
    checks = forms.MultipleChoiceField(
        label="工种", choices=CHOICES[1:], widget=forms.CheckboxSelectMultiple, required=False, help_text="可多选"
    )
    textarea = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    disabled = forms.CharField(label="编号", required=False, disabled=True, initial="A&B")
    hidden = forms.CharField(widget=forms.HiddenInput, required=False, initial="h<1>")

    def clean(self):
        data = super().clean()
        if data.get("text") == "冲突":
            raise forms.ValidationError("整体有误 <x> & y")
        return data


FIELDS = list(KindsForm.base_fields)
VALID = {
    "text": NASTY,
    "optional_text": "<i>'x'</i>",
    "number": "12.50",
    "integer": "3",
    "date": "2026-12-04",
    "time": "08:30",
    "email": "a@b.cn",
    "select": "b",
    "grouped": "zy",
    "no_blank": "hour",
    "multiple": ["a", "c"],
    "checkbox": "on",
    "required_checkbox": "on",
    "radio": "b",
    "checks": ["a", "b"],
    "textarea": f"\n{NASTY}\n第二行",
    "hidden": NASTY,
}
INVALID = {
    "text": "",
    "optional_text": NASTY,
    "number": "-1<",
    "integer": "0",
    "date": "1999-01-01",
    "time": "25:99",
    "email": "<a>@",
    "select": "missing\"'",
    "grouped": "nope",
    "no_blank": "",
    "multiple": ["a", "<z>"],
    "radio": "<z>",
    "checks": ["<z>"],
    "textarea": NASTY,
}
FORMS = {
    "unbound": lambda: KindsForm(),
    "unbound_initial": lambda: KindsForm(
        initial={"text": NASTY, "select": "a", "multiple": ["c"], "checkbox": True, "checks": ["c"], "radio": "a"}
    ),
    "valid": lambda: KindsForm(VALID),
    "invalid": lambda: KindsForm(INVALID),
}


def squash(html):
    """Runs of whitespace as one space: what the browser sees, save in a textarea (compared too)."""
    return re.sub(r"\s+", " ", str(html))


def crispy_field(field):
    return Template("{% load crispy_forms_tags %}{{ field|as_crispy_field }}").render(Context({"field": field}))


@pytest.mark.parametrize("state", FORMS)
@pytest.mark.parametrize("name", FIELDS)
def test_each_field_kind_is_drawn_as_crispy_draws_it(state, name):
    # Two forms: crispy adds its classes to the widget it renders.
    ours, theirs = FORMS[state](), FORMS[state]()
    if state in ("valid", "invalid"):
        assert ours.is_valid() is theirs.is_valid() is (state == "valid")
    html = bs_field(ours[name])
    assert squash(html) == squash(crispy_field(theirs[name]))
    textareas = re.findall(r"<textarea.*?</textarea>", html, re.S)
    assert textareas == re.findall(r"<textarea.*?</textarea>", crispy_field(theirs[name]), re.S)


def test_values_labels_and_errors_are_escaped():
    form = KindsForm(INVALID)
    form.is_valid()
    html = "".join(render_field(form[name]) for name in FIELDS)
    assert "<b>" not in html.replace("可不填 <b>粗</b>", "")  # only the (trusted) help text keeps its tags
    assert 'value="&lt;b&gt;&quot;它&#x27;s&quot; &amp; 你&lt;/b&gt;"' in html  # the hidden field's value
    assert "&lt;b&gt;&quot;它&#x27;s&quot; &amp; 你&lt;/b&gt;</textarea>" in html
    assert "日期不能早于 &lt;2000&gt; &amp; 以前。" in html
    assert "姓名 &lt;名&gt;" in html
    # One per widget with errors; radios and check boxes mark each choice.
    choice_blocks = {"radio", "checks"}
    marked = len(set(form.errors) - choice_blocks) + len(CHOICES[1:]) * len(choice_blocks)
    assert html.count("is-invalid") == marked


def test_errors_and_required_marks():
    form = KindsForm(INVALID)
    form.is_valid()
    text = render_field(form["text"])
    assert 'class="textinput form-control is-invalid"' in text
    assert '<div id="id_text_error" class="invalid-feedback">' in text
    assert '<span class="asteriskField">*</span>' in text
    assert 'aria-invalid="true"' in text
    assert "asteriskField" not in render_field(form["optional_text"])
    assert " disabled" in render_field(form["disabled"])


@pytest.mark.parametrize("state", FORMS)
def test_the_whole_form_is_drawn_as_crispy_draws_it(state):
    ours, theirs = FORMS[state](), FORMS[state]()
    if state == "invalid":
        ours.data = theirs.data = {**INVALID, "text": "冲突"}
    ours.is_valid(), theirs.is_valid()
    html = Template("{% load form_tags %}{% bs_form form %}").render(Context({"form": ours}))
    crispy = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": theirs}))
    assert squash(html) == squash(crispy)
    if state == "invalid":
        assert "整体有误 &lt;x&gt; &amp; y" in html


class Others(forms.Form):
    upload = forms.FileField(label="附件", required=False)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)
    fast = forms.ChoiceField(label="状态", choices=CHOICES, widget=FastSelect)
    split = forms.SplitDateTimeField(label="时间", required=False)
    initial_kept = forms.CharField(label="原值", show_hidden_initial=True, initial="x")


@pytest.mark.parametrize("name", list(Others.base_fields))
def test_other_field_kinds_are_left_to_crispy(name):
    ours, theirs = Others({"password": "s3cret"}), Others({"password": "s3cret"})
    ours.is_valid(), theirs.is_valid()
    assert str(bs_field(ours[name])) == crispy_field(theirs[name])


def test_a_form_with_a_crispy_helper_is_left_to_crispy():
    class Helped(KindsForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.helper = FormHelper()
            self.helper.form_show_labels = False

    html = bs_field(Helped()["text"])
    assert html == crispy_field(Helped()["text"])
    assert "<label" not in html


def test_the_templates_it_stands_for_are_the_packages_own():
    # The equivalence holds while nobody overrides crispy's or Django's templates.
    assert "crispy_bootstrap5" in get_template("bootstrap5/field.html").origin.name
    assert isinstance(KindsForm().renderer, DjangoTemplates)


class TradesForm(forms.Form):
    trades = forms.MultipleChoiceField(
        label="求职工种 <种>",
        choices=CHOICES[1:],
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )


@pytest.mark.parametrize("data", [None, {"trades": ["a", "c"]}, {"trades": ["<z>"]}])
def test_inline_checks_draw_what_the_trades_partial_drew(data):
    ours, theirs = TradesForm(data), TradesForm(data)
    ours.is_valid(), theirs.is_valid()
    # The partial the public 预登记 page still includes.
    partial = get_template("registry/_trades_field.html").render({"field": theirs["trades"]})
    assert bs_inline_checks(ours["trades"]) == partial


@pytest.mark.django_db
def test_a_model_choice_field_marks_the_bound_value():
    class F(forms.Form):
        county = forms.ModelChoiceField(queryset=Division.objects.filter(level=Division.Level.COUNTY).order_by("code"))

    nanming = Division.objects.get(name="南明区")
    ours, theirs = F({"county": str(nanming.pk)}), F({"county": str(nanming.pk)})
    html = render_field(ours["county"])
    assert f'<option value="{nanming.pk}" selected>南明区</option>' in html
    assert squash(html) == squash(crispy_field(theirs["county"]))


def test_inline_checks_refuse_another_widget():
    with pytest.raises(TypeError):
        bs_inline_checks(KindsForm()["select"])
