"""Forms the public pages share (a mobile with its SMS code, consent, honeypot), and 扫码登记's.

Registry's own public forms live here; matching's (报名, 我的报名, the job search) build on
the same fields from `matching/public_forms.py`.
"""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from gigmarket.core.contact import validate_person_name
from markets.models import Trade

from .public import CONSENT_TEXT
from .validators import normalize_mobile, parse_id_number

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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


def mobile_field():
    return forms.CharField(
        label="手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


def code_field():
    return forms.CharField(
        label="短信验证码",
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"required": "请填写短信验证码（先点“获取验证码”）。"},
    )


def id_field():
    return forms.CharField(
        label="身份证号(选填)",
        max_length=40,
        required=False,
        help_text="填写后到窗口可直接核验，不填也可报名。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def agree_field():
    return forms.BooleanField(
        label="我已阅读并同意上述个人信息告知",
        error_messages={"required": "请阅读个人信息告知并勾选同意后再提交。"},
    )


def honeypot_field():
    # Hidden from people (CSS and aria-hidden); robots that fill every field are refused.
    return forms.CharField(
        label="网址", required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )


class PreRegistrationForm(CodeMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=40, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    mobile = mobile_field()
    code = code_field()
    trades = forms.ModelMultipleChoiceField(
        label="想做的工种",
        queryset=Trade.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    available_from = forms.DateField(label="可上工日期(起)", required=False, widget=DATE, help_text="不填为今天。")
    available_until = forms.DateField(label="可上工日期(止)", required=False, widget=DATE, help_text="不填为长期。")
    id_number = id_field()
    agree = agree_field()
    website = honeypot_field()

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
