"""Forms of the public 我要招工 pages: the need itself, the SMS code, the clerk's rejection."""

import datetime

from django import forms
from django.utils import timezone

from gigmarket.core.contact import validate_org_name, validate_person_name
from markets.models import Market

from .forms import DATE, TIME, active_trades
from .models import EmployerNeed
from .services import NEED_SUBMIT_FIELDS
from .validators import normalize_credit_code, normalize_mobile

# The personal-information notice (PIPL art. 13–14) shown above the submit button. A change
# of wording is a new version: each need records the version its employer agreed to.
CONSENT_VERSION = "employer-2026-12"
CONSENT_TEXT = (
    "个人信息处理告知：为审核并发布您的招工信息、向您发送审核结果和报名对接短信，"
    "本平台（贵州省人力资源和社会保障部门零工市场管理平台）将收集您填写的用工主体名称、"
    "统一社会信用代码、联系人和联系手机。联系手机加密保存，不在公开页面展示，"
    "仅所选零工市场的工作人员在办理对接时可查看；招工信息发布后公开展示用工主体名称"
    "（个人用工只显示姓氏）、工种、人数、报酬、日期和地点。信息保存至用工结束后按规定期限删除。"
    "您可向所选零工市场或拨打12333查询、更正、删除您的信息。"
)

# Furthest ahead a need may be dated: the market reviews needs for the weeks to come.
MAX_DAYS_AHEAD = 60


def need_markets():
    """Markets an employer may post to: the operating ones, by 市州 and county."""
    return (
        Market.objects.filter(status=Market.Status.OPERATING)
        .select_related("county__parent")
        .order_by("county__parent__code", "county__code", "name")
    )


class MarketChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.county.name} · {obj.name}"


class PhoneForm(forms.Form):
    """The mobile an SMS code is sent to (and proven with)."""

    phone = forms.CharField(
        label="联系手机",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self):
        return normalize_mobile(self.cleaned_data["phone"], label="联系手机")


class CodeForm(PhoneForm):
    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"min_length": "验证码为6位数字。"},
    )

    def clean_code(self):
        value = self.cleaned_data["code"].strip()
        if value and not value.isdigit():
            raise forms.ValidationError("验证码为6位数字。")
        return value


class NeedForm(CodeForm):
    """我要招工: who employs, whom they need, when and where, and the proven mobile."""

    # A field people never see: a form that fills it is a robot's (nothing is saved).
    website = forms.CharField(required=False, label="网址", widget=forms.TextInput(attrs={"tabindex": "-1"}))

    market = MarketChoice(label="发布到零工市场", queryset=Market.objects.none(), empty_label="请选择零工市场")
    kind = forms.ChoiceField(label="用工主体类型", choices=EmployerNeed.Kind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label="单位名称/姓名", max_length=100)
    credit_code = forms.CharField(
        label="统一社会信用代码",
        max_length=30,
        required=False,
        help_text="企业必填，个体工商户有则填写，个人不填。",
    )
    contact_name = forms.CharField(label="联系人", max_length=40, required=False)
    trade = forms.ModelChoiceField(label="工种", queryset=active_trades(), empty_label="请选择工种")
    headcount = forms.IntegerField(label="招用人数", min_value=1, max_value=500, initial=1)
    pay = forms.DecimalField(label="报酬(元)", min_value=1, max_value=99999, decimal_places=2)
    pay_unit = forms.ChoiceField(label="计酬单位", choices=EmployerNeed._meta.get_field("pay_unit").choices)
    work_date = forms.DateField(label="用工日期(起)", widget=DATE)
    work_date_end = forms.DateField(label="用工日期(止)", widget=DATE, required=False, help_text="只做一天可不填。")
    start_time = forms.TimeField(label="上工时间", widget=TIME, required=False)
    end_time = forms.TimeField(label="收工时间", widget=TIME, required=False)
    place = forms.CharField(label="工作地点", max_length=200)
    requirements = forms.CharField(
        label="要求", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    consent = forms.BooleanField(
        label="我已阅读并同意上述个人信息处理告知",
        error_messages={"required": "请阅读并勾选同意个人信息处理告知后再提交。"},
    )

    field_order = ["market", *NEED_SUBMIT_FIELDS, "phone", "code", "consent", "website"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market"].queryset = need_markets()
        self.fields["work_date"].initial = timezone.localdate
        self.fields["kind"].initial = EmployerNeed.Kind.ENTERPRISE
        # The code is asked for only on submit: "获取验证码" checks the mobile alone.
        self.fields["code"].required = False

    def clean_name(self):
        return validate_org_name(self.cleaned_data["name"], label="单位名称/姓名")

    def clean_contact_name(self):
        return validate_person_name(self.cleaned_data["contact_name"], label="联系人", required=False)

    def clean_credit_code(self):
        value = self.cleaned_data["credit_code"]
        return normalize_credit_code(value) if value.strip() else ""

    def clean_place(self):
        return validate_org_name(self.cleaned_data["place"], label="工作地点")

    def clean(self):
        data = super().clean()
        kind, code = data.get("kind"), data.get("credit_code")
        if kind == EmployerNeed.Kind.ENTERPRISE and code == "":
            self.add_error("credit_code", "企业须填写统一社会信用代码。")
        if kind == EmployerNeed.Kind.PERSON and code:
            self.add_error("credit_code", "个人用工不填写统一社会信用代码。")
        today = timezone.localdate()
        start, end = data.get("work_date"), data.get("work_date_end")
        if start and start < today:
            self.add_error("work_date", "用工日期不能早于今天。")
        elif start and start > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
            self.add_error("work_date", f"用工日期请选择{MAX_DAYS_AHEAD}天以内。")
        if start and end and end < start:
            self.add_error("work_date_end", "结束日期不能早于开始日期。")
        if data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"]:
            self.add_error("end_time", "收工时间应晚于上工时间。")
        return data

    def require_code(self):
        """On submit the code is required; returns False (with the error) when it is missing."""
        if not self.cleaned_data.get("code"):
            self.add_error("code", "请填写短信验证码（先点“获取验证码”）。")
            return False
        return True

    def service_data(self):
        return {f: self.cleaned_data[f] for f in NEED_SUBMIT_FIELDS}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="未通过原因",
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "如：报酬低于当地最低工资标准"}),
        help_text="将以短信告知用工方，60字以内。",
    )
