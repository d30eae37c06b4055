"""Forms of the public worker pages: the job search, 我要报名, 扫码登记, 我的报名 and the counter's steps."""

import datetime
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from gigmarket.core.contact import validate_person_name
from gigmarket.core.models import Division
from gigmarket.core.widgets import FastSelect
from markets.models import Market, Trade
from registry.models import PayUnit
from registry.public import CONSENT_TEXT
from registry.validators import normalize_mobile, parse_id_number

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
        self.fields["trade"].queryset = trades
        self.fields["county"].label_from_instance = lambda d: d.name
        self.fields["market"].label_from_instance = lambda m: m.name

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


class CodeMixin:
    """A mobile and its SMS code, a consent box and a honeypot, shared by the public forms."""

    def clean_name(self):
        return validate_person_name(self.cleaned_data["name"], label="姓名")

    def clean_mobile(self):
        return normalize_mobile(self.cleaned_data["mobile"])

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isdigit()):
            raise ValidationError("验证码为6位数字。")
        return code

    def clean_id_number(self):
        raw = self.cleaned_data.get("id_number", "")
        if not raw.strip():
            return ""
        return parse_id_number(raw).value

    def is_spam(self):
        return bool((self.data.get("website") or "").strip())


def _mobile_field():
    return forms.CharField(
        label="手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


def _code_field():
    return forms.CharField(
        label="短信验证码",
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"required": "请填写短信验证码（先点“获取验证码”）。"},
    )


def _id_field():
    return forms.CharField(
        label="身份证号(选填)",
        max_length=40,
        required=False,
        help_text="填写后到窗口可直接核验，不填也可报名。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _agree_field():
    return forms.BooleanField(
        label="我已阅读并同意上述个人信息告知",
        error_messages={"required": "请阅读个人信息告知并勾选同意后再提交。"},
    )


def _honeypot():
    # Hidden from people (CSS and aria-hidden); robots that fill every field are refused.
    return forms.CharField(
        label="网址", required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )


class ApplyForm(CodeMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=40, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    mobile = _mobile_field()
    code = _code_field()
    id_number = _id_field()
    agree = _agree_field()
    website = _honeypot()

    consent_text = CONSENT_TEXT


class PreRegistrationForm(CodeMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=40, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    mobile = _mobile_field()
    code = _code_field()
    trades = forms.ModelMultipleChoiceField(
        label="想做的工种",
        queryset=Trade.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    available_from = forms.DateField(label="可上工日期(起)", required=False, widget=DATE, help_text="不填为今天。")
    available_until = forms.DateField(label="可上工日期(止)", required=False, widget=DATE, help_text="不填为长期。")
    id_number = _id_field()
    agree = _agree_field()
    website = _honeypot()

    consent_text = CONSENT_TEXT

    def __init__(self, *args, trades, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trades"].queryset = trades

    def clean(self):
        data = super().clean()
        start, until = data.get("available_from"), data.get("available_until")
        if until and until < (start or timezone.localdate()):
            self.add_error("available_until", "结束日期不能早于开始日期。")
        return data


class MyLoginForm(CodeMixin, forms.Form):
    mobile = _mobile_field()
    code = _code_field()


class QueueFindForm(forms.Form):
    """The clerk finds a waiting applicant or pre-registration by phone (POSTed: a personal search)."""

    mobile = forms.CharField(label="手机号码", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def clean_mobile(self):
        return normalize_mobile(self.cleaned_data["mobile"])


class PreRegistrationCompleteForm(forms.Form):
    """The clerk confirms the 身份证号 from the card and completes the registration in one step."""

    id_number = forms.CharField(
        label="身份证号(核验原件)",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autofocus": True}),
    )
    token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": "页面已过期，请再提交一次。", "invalid": "页面已过期，请再提交一次。"},
    )

    def clean_id_number(self):
        return parse_id_number(self.cleaned_data["id_number"])

    def next_token(self):
        try:
            return str(uuid.UUID(str(self.data.get("token", ""))))
        except ValueError:
            return str(uuid.uuid4())


def retyped(form_class, data, **kwargs):
    """An unbound form showing what was typed (after 获取验证码: no errors on fields not yet filled)."""
    form = form_class(**kwargs)
    initial = {}
    for name, field in form.fields.items():
        if name in ("code", "website"):
            continue
        if isinstance(field, forms.ModelMultipleChoiceField):
            initial[name] = data.getlist(name)
        elif isinstance(field, forms.BooleanField):
            initial[name] = bool(data.get(name))
        else:
            initial[name] = data.get(name, "")
    return form_class(initial=initial, **kwargs)
