"""Forms of subsidy applications and their review (registry.subsidies)."""

import datetime
import re

from django import forms
from django.utils import timezone

from .models import SubsidyKind, TrainingSignup
from .subsidies import RULES, period_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EVIDENCE = list(dict.fromkeys(item for rule in RULES.values() for item in rule.evidence))


class SubsidyApplicationForm(forms.Form):
    kind = forms.ChoiceField(label="补贴类别", choices=[("", "请选择"), *SubsidyKind.choices])
    training_signup = forms.ModelChoiceField(
        label="培训项目",
        queryset=TrainingSignup.objects.none(),
        required=False,
        help_text="职业培训补贴、培训期间生活费补贴填写：该零工已结业的培训。",
    )
    month = forms.CharField(label="补贴月份", required=False, max_length=7, help_text="社会保险补贴填写，如 2026-11。")
    year = forms.IntegerField(
        label="补贴年度", required=False, min_value=2000, max_value=2100, help_text="意外伤害保险补贴填写。"
    )
    amount_requested = forms.DecimalField(label="申请金额(元)", max_digits=10, decimal_places=2, min_value=0)
    evidence = forms.MultipleChoiceField(
        label="已核验材料",
        choices=[(item, item) for item in EVIDENCE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    evidence_note = forms.CharField(label="材料说明", max_length=200, required=False)

    def __init__(self, *args, worker, **kwargs):
        super().__init__(*args, **kwargs)
        self.worker = worker
        self.fields["training_signup"].queryset = TrainingSignup.objects.filter(worker=worker).select_related("offer")
        self.fields["training_signup"].label_from_instance = lambda s: (
            f"{s.offer.course}（{s.offer.start_date:%Y-%m-%d}，{s.get_status_display()}）"
        )
        self.fields["year"].initial = timezone.localdate().year

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        if not re.fullmatch(r"\d{4}-\d{2}", value) or not 1 <= int(value[5:]) <= 12:
            raise forms.ValidationError("月份格式应为 年-月，如 2026-11。")
        return datetime.date(int(value[:4]), int(value[5:]), 1)

    def service_data(self):
        data = self.cleaned_data
        rule = RULES[SubsidyKind(data["kind"])]
        signup = data.get("training_signup") if rule.period == "training" else None
        return {
            "kind": data["kind"],
            "period": period_for(rule, signup=signup, month=data.get("month"), year=data.get("year")),
            "training_signup": signup,
            "amount_requested": data["amount_requested"],
            "evidence": [item for item in data["evidence"] if item in rule.evidence],
            "evidence_note": data["evidence_note"],
        }


class ApproveForm(forms.Form):
    amount = forms.DecimalField(label="核准金额(元)", max_digits=10, decimal_places=2, min_value=0)


class PayForm(forms.Form):
    amount = forms.DecimalField(label="发放金额(元)", max_digits=10, decimal_places=2, min_value=0)
    paid_on = forms.DateField(label="发放日期", widget=DATE, initial=timezone.localdate)
    voucher_no = forms.CharField(label="凭证号", max_length=40, error_messages={"required": "请填写凭证号。"})


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=200, error_messages={"required": "请填写退回原因。"})
