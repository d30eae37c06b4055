"""Forms of the 欠薪 block override and the wage settlement (matching.arrears, matching.wages)."""

import datetime

from django import forms
from django.utils import timezone

from .models import PayMethod

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OVERRIDE_DAYS = 30


def _default_valid_until():
    return timezone.localdate() + datetime.timedelta(days=OVERRIDE_DAYS)


class ArrearsOverrideForm(forms.Form):
    reason = forms.CharField(
        label="放行理由",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如：已签订还款计划并缴纳保证金、案件已进入调解且用工主体已部分支付等。",
        error_messages={"required": "请填写放行理由。"},
    )
    valid_until = forms.DateField(label="放行有效期至", widget=DATE, initial=_default_valid_until)

    def clean_valid_until(self):
        value = self.cleaned_data["valid_until"]
        if value < timezone.localdate():
            raise forms.ValidationError("放行有效期不能早于今天。")
        return value


class WageSettlementForm(forms.Form):
    wage_due = forms.DecimalField(label="应付工资(元)", max_digits=10, decimal_places=2, min_value=0)
    amount_paid = forms.DecimalField(
        label="实付工资(元)", max_digits=10, decimal_places=2, min_value=0, initial=0, help_text="尚未支付填0。"
    )
    paid_on = forms.DateField(label="支付日期", widget=DATE, required=False)
    method = forms.ChoiceField(label="支付方式", choices=[("", "请选择"), *PayMethod.choices], required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        paid = data.get("amount_paid")
        if paid:
            if not data.get("paid_on"):
                self.add_error("paid_on", "已支付工资的，请填写支付日期。")
            if not data.get("method"):
                self.add_error("method", "已支付工资的，请选择支付方式。")
        return data
