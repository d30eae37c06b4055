from django import forms

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
