from django import forms
from django.utils import timezone

from .models import ReportingRule


class RuleForm(forms.ModelForm):
    class Meta:
        model = ReportingRule
        fields = [
            "name",
            "cadence",
            "effective_from",
            "effective_until",
            "due_offset_days",
            "fixed_due_date",
            "is_active",
        ]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "effective_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "fixed_due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="原因",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写原因。"},
    )


class AsOfForm(forms.Form):
    date = forms.DateField(
        label="日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请选择日期。", "invalid": "请输入有效的日期。"},
    )
    region = forms.CharField(label="区域", required=False, max_length=12)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError("只能查看今天及以前的名录。")
        return day
