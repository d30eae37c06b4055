import re

import pytest
from django import forms

from gigmarket.core.models import Division
from gigmarket.core.widgets import FastSelect

CHOICES = [
    ("", "全部"),
    ("a", "甲 & <乙>"),
    ("贵州", [("gy", "贵阳市"), ("zy", "遵义市"), (None, "未定")]),
    (None, [("n1", "不分组一"), ("n2", "不分组二")]),
    (None, "空值"),
    ("z", "丙"),
]


@pytest.mark.parametrize("value", [None, "", "a", "zy", "n2", "None", "missing"])
@pytest.mark.parametrize("attrs", [{}, {"class": "form-select form-select-sm", "required": True, "disabled": False}])
def test_fast_select_renders_exactly_what_django_renders(value, attrs):
    django_html = forms.Select(attrs=attrs, choices=CHOICES).render("city", value, attrs={"id": "id_city"})
    fast_html = FastSelect(attrs=attrs, choices=CHOICES).render("city", value, attrs={"id": "id_city"})
    # The same markup; Django's templates only add newlines and indentation between tags.
    assert fast_html == re.sub(r">\s+<", "><", django_html)
    assert "&lt;乙&gt;" in fast_html


@pytest.mark.django_db
def test_fast_select_on_a_model_choice_field_marks_the_bound_value():
    class F(forms.Form):
        county = forms.ModelChoiceField(
            queryset=Division.objects.filter(level=Division.Level.COUNTY), required=False, widget=FastSelect
        )

    nanming = Division.objects.get(name="南明区")
    html = str(F({"county": str(nanming.pk)})["county"])
    assert f'<option value="{nanming.pk}" selected>南明区</option>' in html
    assert html.count("<option") == Division.objects.filter(level=Division.Level.COUNTY).count() + 1


@pytest.mark.django_db
@pytest.mark.parametrize("bound", [None, "南明区", "not-a-pk"])
def test_fast_select_on_a_model_choice_field_matches_django(bound):
    counties = Division.objects.filter(level=Division.Level.COUNTY).order_by("code")

    def form(widget):
        class F(forms.Form):
            county = forms.ModelChoiceField(queryset=counties, required=False, empty_label="全部", widget=widget)

        data = (
            None
            if bound is None
            else {"county": str(Division.objects.get(name=bound).pk) if bound != "not-a-pk" else bound}
        )
        return str(F(data)["county"])

    assert form(FastSelect) == re.sub(r">\s+<", "><", form(forms.Select))


def test_a_multiple_select_is_left_to_django():
    class FastMultiple(FastSelect):
        allow_multiple_selected = True

    chosen = ["a", "gy"]
    assert FastMultiple(choices=CHOICES).render("c", chosen) == forms.SelectMultiple(choices=CHOICES).render(
        "c", chosen
    )
