from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from gigmarket.core.scoping import scope_queryset
from markets.models import Market
from registry import selectors as registry_selectors

from .models import MatchState, Placement, RightsCase

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MatchCreateForm(forms.Form):
    """The hidden form behind each 对接 button. `token` is unique per rendered form."""

    posting = forms.IntegerField(widget=forms.HiddenInput)
    worker = forms.IntegerField(widget=forms.HiddenInput)
    token = forms.UUIDField(widget=forms.HiddenInput, error_messages={"invalid": "页面已过期，请刷新后重试。"})
    confirm = forms.BooleanField(required=False)
    next = forms.CharField(required=False)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=MatchState.choices, error_messages={"invalid_choice": "无效的状态。"})
    reason = forms.CharField(label="原因", required=False, max_length=200)
    next = forms.CharField(required=False)


class TermsForm(forms.Form):
    agreed_pay = forms.DecimalField(label="约定报酬(元)", max_digits=8, decimal_places=2, min_value=0)
    note = forms.CharField(label="备注", required=False, max_length=200)


class MarketChoiceMixin:
    """Clerks act at their own market; county staff pick one of the markets in scope."""

    def _add_market_field(self, user):
        self.user_market = user.market if user.market_id else None
        if self.user_market is None:
            self.fields["market"] = forms.ModelChoiceField(
                label="受理市场",
                queryset=scope_queryset(Market.objects.all(), user).order_by("name"),
                empty_label="请选择零工市场",
            )

    def chosen_market(self):
        return self.user_market or self.cleaned_data["market"]


def find_worker(user, term):
    """The one worker in scope matching a 身份证号 / 手机号 / 姓名+后4位, or a ValidationError."""
    try:
        qs, _ = registry_selectors.worker_search(user, term)
    except registry_selectors.SearchError as exc:
        raise ValidationError(str(exc)) from None
    found = list(qs[:2])
    if not found:
        raise ValidationError("未在本辖区找到该零工，请先到求职登记窗口登记。")
    if len(found) > 1:
        raise ValidationError("找到多名零工，请输入身份证号或“姓名 身份证号后4位”。")
    return found[0]


def find_employer(user, term):
    try:
        qs = registry_selectors.employer_search(user, term)
    except registry_selectors.SearchError as exc:
        raise ValidationError(str(exc)) from None
    found = list(qs[:2])
    if not found:
        raise ValidationError("未在本辖区找到该用工主体，请输入统一社会信用代码或准确名称。")
    if len(found) > 1:
        exact = [e for e in found if e.name == term.strip()]
        if len(exact) != 1:
            raise ValidationError("找到多个用工主体，请输入统一社会信用代码或完整名称。")
        return exact[0]
    return found[0]


class RightsCaseForm(MarketChoiceMixin, forms.ModelForm):
    """A 劳动维权 case. The worker and employer are looked up, not picked from long lists."""

    person = forms.CharField(
        label="零工", max_length=40, help_text="身份证号、手机号或“姓名 身份证号后4位”。", required=False
    )
    employer_query = forms.CharField(
        label="用工主体", max_length=100, required=False, help_text="统一社会信用代码或完整名称；欠薪、工伤必填。"
    )

    class Meta:
        model = RightsCase
        fields = ["kind", "summary", "amount_owed", "amount_recovered", "received_on"]
        widgets = {"received_on": DATE, "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, worker=None, employer=None, match=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.worker = worker or (self.instance.worker if self.instance.pk else None)
        self.employer = employer or (self.instance.employer if self.instance.pk else None)
        self.match = match or (self.instance.match if self.instance.pk else None)
        if self.worker is not None:
            del self.fields["person"]
        if self.employer is not None and not self.initial.get("employer_query"):
            self.initial["employer_query"] = self.employer.credit_code or self.employer.name
        if self.instance.pk is None:
            self._add_market_field(user)

    def clean_person(self):
        term = self.cleaned_data["person"].strip()
        if not term:
            raise ValidationError("请输入零工的身份证号、手机号或“姓名 身份证号后4位”。")
        return find_worker(self.user, term)

    def clean_employer_query(self):
        term = self.cleaned_data["employer_query"].strip()
        if not term:
            return None
        if self.employer is not None and term in (self.employer.credit_code, self.employer.name):
            return self.employer
        return find_employer(self.user, term)

    def clean(self):
        data = super().clean()
        worker = self.worker or data.get("person")
        employer = data.get("employer_query") if "employer_query" in data else self.employer
        if worker is not None:
            self.instance.worker = worker
        self.instance.employer = employer
        self.instance.match = self.match
        return data

    def service_data(self):
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        data["worker"] = self.instance.worker
        data["employer"] = self.instance.employer
        data["match"] = self.match
        return data


class CaseNoteForm(forms.Form):
    on = forms.DateField(label="日期", widget=DATE, initial=timezone.localdate)
    text = forms.CharField(label="内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CaseTransitionForm(forms.Form):
    to = forms.ChoiceField(choices=RightsCase.State.choices, error_messages={"invalid_choice": "无效的状态。"})
    note = forms.CharField(label="说明", required=False, max_length=2000)


class PlacementForm(forms.ModelForm):
    person = forms.CharField(
        label="零工", max_length=40, help_text="身份证号、手机号或“姓名 身份证号后4位”。", required=False
    )
    eligibility_override = forms.CharField(
        label="特批理由",
        max_length=200,
        required=False,
        help_text="仅限未认定为就业困难人员的零工，由县级以上人社部门填写；已认定的无需填写。",
    )

    class Meta:
        model = Placement
        fields = ["post", "unit", "start_date", "end_date", "status", "monthly_pay", "next_follow_up", "notes"]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "next_follow_up": DATE,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, worker=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.worker = worker or (self.instance.worker if self.instance.pk else None)
        if self.worker is not None:
            del self.fields["person"]
        if self.instance.pk:
            del self.fields["eligibility_override"]

    def clean_person(self):
        term = self.cleaned_data["person"].strip()
        if not term:
            raise ValidationError("请输入零工的身份证号、手机号或“姓名 身份证号后4位”。")
        return find_worker(self.user, term)

    def clean(self):
        data = super().clean()
        worker = self.worker or data.get("person")
        if worker is not None:
            self.instance.worker = worker
            self.instance.county = worker.county
        return data

    def chosen_worker(self):
        return self.worker or self.cleaned_data["person"]

    def service_data(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class FollowUpForm(forms.Form):
    on = forms.DateField(label="回访日期", widget=DATE, initial=timezone.localdate)
    text = forms.CharField(label="回访情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    next_follow_up = forms.DateField(label="下次回访日期", widget=DATE, required=False)

    def clean(self):
        data = super().clean()
        on, nxt = data.get("on"), data.get("next_follow_up")
        if on and nxt and nxt <= on:
            self.add_error("next_follow_up", "下次回访日期应晚于本次回访日期。")
        return data
