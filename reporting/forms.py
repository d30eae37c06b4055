import datetime

from django import forms
from django.utils import timezone

from .grains import BY_VALUE, DEFAULT_GRAIN, GRAINS, count_buckets
from .models import ReportingRule

# The portal has no activity before the notice; far-future dates are typing mistakes.
EARLIEST = datetime.date(2020, 1, 1)
LATEST = datetime.date(2099, 12, 31)


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


class MonitoringForm(forms.Form):
    """The time frame of the monitoring page: a grain and a range (from/to), or a reporting
    period (its start and end fill an empty range). Every error is a Chinese message."""

    grain = forms.ChoiceField(label="粒度", required=False, choices=[(g.value, g.label) for g in GRAINS])
    start = forms.DateField(
        label="开始日期",
        required=False,
        error_messages={"invalid": "开始日期格式不正确，请按 年-月-日 填写。"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label="结束日期",
        required=False,
        error_messages={"invalid": "结束日期格式不正确，请按 年-月-日 填写。"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    period = forms.TypedChoiceField(label="报送期", required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, periods, **kwargs):
        super().__init__(data, **kwargs)
        self.periods = list(periods)
        self.fields["grain"].error_messages["invalid_choice"] = "请选择日、周、月、季度、半年或报送期。"
        self.fields["period"].choices = [("", "—")] + [(p.pk, p.name) for p in self.periods]
        self.fields["period"].error_messages["invalid_choice"] = "所选报送期不存在。"

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["grain"] = data.get("grain") or DEFAULT_GRAIN
        period = next((p for p in self.periods if p.pk == data.get("period")), None)
        if period is None and not (data.get("start") or data.get("end")):
            period = self.periods[0] if self.periods else None
        data["period"] = period
        start = data.get("start") or (period.start if period else None)
        end = data.get("end") or (period.end if period else None)
        if start is None or end is None:
            raise forms.ValidationError("请同时填写开始日期和结束日期。")
        if start < EARLIEST or end > LATEST:
            raise forms.ValidationError(f"日期须在{EARLIEST:%Y年%m月%d日}至{LATEST:%Y年%m月%d日}之间。")
        if start > end:
            raise forms.ValidationError("开始日期不能晚于结束日期。")
        grain = BY_VALUE[data["grain"]]
        if count_buckets(grain.value, start, end, self.periods) > grain.max_buckets:
            raise forms.ValidationError(
                f"按{grain.label}查看时，时间范围最多{grain.max_buckets}个{grain.label}，请缩短时间范围或选择更粗的粒度。"
            )
        data["start"], data["end"] = start, end
        return data
