"""Forms of the public worker pages: the job search, 我要报名, 我的报名, and the counter's queue search."""

import datetime

from django import forms

from gigmarket.core.choice_cache import cache_choices
from gigmarket.core.models import Division
from gigmarket.core.widgets import FastSelect
from markets.models import Market, Trade
from registry.models import PayUnit
from registry.public import CONSENT_TEXT
from registry.public_forms import (
    CodeMixin,
    agree_field,
    code_field,
    honeypot_field,
    id_field,
    mobile_field,
)
from registry.validators import normalize_mobile

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class JobSearchForm(forms.Form):
    """GET filters of 今日零工岗位. A bad value only drops that filter (see `filters`)."""

    WHEN_CHOICES = [("", "不限日期"), ("today", "今天"), ("tomorrow", "明天"), ("week", "本周内"), ("date", "指定日期")]

    city = forms.ModelChoiceField(
        label="市州", queryset=Division.objects.none(), required=False, empty_label="全部市州", widget=FastSelect
    )
    county = forms.ModelChoiceField(
        label="县(市、区)",
        queryset=Division.objects.none(),
        required=False,
        empty_label="全部县(市、区)",
        widget=FastSelect,
    )
    market = forms.ModelChoiceField(
        label="零工市场", queryset=Market.objects.none(), required=False, empty_label="全部市场", widget=FastSelect
    )
    trade = forms.ModelChoiceField(
        label="工种", queryset=Trade.objects.none(), required=False, empty_label="全部工种", widget=FastSelect
    )
    when = forms.ChoiceField(label="用工日期", choices=WHEN_CHOICES, required=False, widget=FastSelect)
    date = forms.DateField(label="日期", required=False, widget=DATE)
    pay_unit = forms.ChoiceField(
        label="计酬方式", choices=[("", "不限"), *PayUnit.choices], required=False, widget=FastSelect
    )
    min_pay = forms.DecimalField(
        label="最低报酬(元)", required=False, min_value=0, max_value=99999, max_digits=7, decimal_places=2
    )

    def __init__(self, *args, cities, counties, markets, trades, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities
        self.fields["county"].queryset = counties
        self.fields["market"].queryset = markets
        if markets.query.is_empty():  # the markets are offered once a county is chosen
            self.fields["market"].empty_label = "先选县区"
        self.fields["trade"].queryset = trades
        self.fields["county"].label_from_instance = lambda d: d.name
        # Rendered by hand in the template (crispy's field template was a third of the page's time).
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css
        self.fields["market"].label_from_instance = lambda m: m.name
        # Only the trades: the 市州, 县区 and markets offered follow which markets are open.
        cache_choices(self.fields["trade"], "JobSearchForm.trade")

    def filters(self, today):
        """Selector keyword arguments from the fields that are valid (junk in one field is ignored)."""
        self.is_valid()
        data = {name: value for name, value in getattr(self, "cleaned_data", {}).items() if name not in self.errors}
        day_from = day_to = None
        when = data.get("when") or ""
        if when == "today":
            day_from = day_to = today
        elif when == "tomorrow":
            day_from = day_to = today + datetime.timedelta(days=1)
        elif when == "week":
            day_from, day_to = today, today + datetime.timedelta(days=6 - today.weekday())
        elif when in ("date", "") and data.get("date"):
            day_from = day_to = data["date"]
        return {
            "city": data.get("city"),
            "county": data.get("county"),
            "market": data.get("market"),
            "trade": data.get("trade"),
            "day_from": day_from,
            "day_to": day_to,
            "pay_unit": data.get("pay_unit") or "",
            "min_pay": data.get("min_pay"),
        }


class ApplyForm(CodeMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=40, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    mobile = mobile_field()
    code = code_field()
    id_number = id_field()
    agree = agree_field()
    website = honeypot_field()

    consent_text = CONSENT_TEXT


class MyLoginForm(CodeMixin, forms.Form):
    mobile = mobile_field()
    code = code_field()


class QueueFindForm(forms.Form):
    """The clerk finds a waiting applicant or pre-registration by phone (POSTed: a personal search)."""

    mobile = forms.CharField(label="手机号码", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def clean_mobile(self):
        return normalize_mobile(self.cleaned_data["mobile"])
