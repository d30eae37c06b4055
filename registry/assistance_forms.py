"""Forms of 个性化就业援助 (registry.assistance): input parsing and Chinese messages only."""

from django import forms
from django.utils import timezone

from .models import AssistanceNote, AssistancePlan, AssistanceService

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}（{obj.get_role_display()}）"


class PlanForm(forms.Form):
    owner = OwnerChoiceField(label="责任人", queryset=None, error_messages={"invalid_choice": "请选择责任人。"})
    goal = forms.CharField(label="援助目标", max_length=200, error_messages={"required": "请填写援助目标。"})

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class StepForm(forms.Form):
    service = forms.ChoiceField(label="服务项目", choices=AssistanceService.choices)
    detail = forms.CharField(label="具体内容", max_length=200, required=False)
    due_on = forms.DateField(label="计划完成日期", widget=DATE)


class StepDoneForm(forms.Form):
    on = forms.DateField(label="完成日期", widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label="完成情况", max_length=200, required=False)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=AssistanceNote.Kind.choices)
    on = forms.DateField(label="日期", widget=DATE, initial=timezone.localdate)
    text = forms.CharField(label="内容", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="结案结果", choices=[("", "请选择"), *AssistancePlan.Outcome.choices])
    note = forms.CharField(label="结案说明", max_length=200, required=False, help_text="选择“退出”的，须填写原因。")
    on = forms.DateField(label="结案日期", widget=DATE, initial=timezone.localdate)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == AssistancePlan.Outcome.EXITED and not (data.get("note") or "").strip():
            self.add_error("note", "退出援助须填写原因。")
        return data
