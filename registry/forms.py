import uuid

from django import forms
from django.utils import timezone

from gigmarket.core.contact import validate_org_name, validate_person_name
from gigmarket.core.models import User
from gigmarket.core.scoping import scope_queryset
from markets.models import Market, Trade

from .models import Employer, PayUnit, PolicyNote, Posting, TrainingOffer, WindowVisit, Worker
from .services import (
    EMPLOYER_FIELDS,
    POLICY_FIELDS,
    POSTING_DATA_FIELDS,
    TRAINING_FIELDS,
    WORKER_EDIT_FIELDS,
    WORKER_QUICK_FIELDS,
)
from .validators import normalize_credit_code, normalize_mobile, normalize_phone, parse_id_number

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def active_trades():
    return Trade.objects.filter(is_active=True).order_by("sort_order", "code")


_MARKET, _DIVISION = User._meta.get_field("market"), User._meta.get_field("division")


def user_market(user):
    """The clerk's market with its county and 市州, which the services and the audit row need.

    The session's user read (`gigmarket.core.security.PortalModelBackend`) brings the market
    and the user's division with its parent: for a clerk of the market's own county no query.
    Otherwise one query, not three.
    """
    if _MARKET.is_cached(user) and _DIVISION.is_cached(user) and user.market.county_id == user.division_id:
        market = user.market
        market.county = user.division
        return market
    return Market.objects.select_related("county__parent").get(pk=user.market_id)


class MarketChoiceMixin:
    """Clerks work at their own market; county staff pick one of the markets in scope."""

    def _add_market_field(self, user):
        self.user_market = user_market(user) if user.market_id else None
        if self.user_market is None:
            self.fields["market"] = forms.ModelChoiceField(
                label="零工市场",
                queryset=scope_queryset(Market.objects.select_related("county__parent"), user).order_by("name"),
                empty_label="请选择零工市场",
            )

    def chosen_market(self):
        return self.user_market or self.cleaned_data["market"]


class WorkerQuickForm(MarketChoiceMixin, forms.Form):
    """The clerk's one-screen registration: seven fields, one submit."""

    name = forms.CharField(label="姓名", max_length=40, widget=forms.TextInput(attrs={"autofocus": True}))
    id_number = forms.CharField(
        label="身份证号",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}),
    )
    mobile = forms.CharField(label="手机号码", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    trades = forms.ModelMultipleChoiceField(
        label="求职工种",
        queryset=Trade.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    available_from = forms.DateField(label="可上工日期(起)", widget=DATE, required=False, help_text="默认今天。")
    available_until = forms.DateField(label="可上工日期(止)", widget=DATE, required=False, help_text="不填为长期。")
    expected_pay = forms.DecimalField(label="期望报酬(元)", max_digits=8, decimal_places=2, min_value=0, required=False)
    pay_unit = forms.ChoiceField(label="计酬单位", choices=PayUnit.choices, initial=PayUnit.DAY)
    notes = forms.CharField(label="备注", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    # One per rendered form (see `next_token`): a form submitted twice records one visit.
    token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": "页面已过期，请再提交一次。", "invalid": "页面已过期，请再提交一次。"},
    )
    # Only on the transfer confirmation (a 身份证号 registered in another county).
    replace_mobile = forms.BooleanField(label="改用本次填写的手机号", required=False)
    replace_details = forms.BooleanField(label="以本次填写的求职工种、可上工日期和期望报酬更新档案", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trades"].queryset = active_trades()
        self.fields["available_from"].initial = timezone.localdate
        self._add_market_field(user)

    def next_token(self):
        """The token to render: the one submitted (a corrected resubmission is still one
        submission), or a new one for a fresh form or a missing/garbled token."""
        try:
            return str(uuid.UUID(str(self.data.get("token", ""))))
        except ValueError:
            return str(uuid.uuid4())

    def clean_name(self):
        return validate_person_name(self.cleaned_data["name"], label="姓名")

    def clean_id_number(self):
        return parse_id_number(self.cleaned_data["id_number"])

    def clean_mobile(self):
        return normalize_mobile(self.cleaned_data["mobile"])

    def clean(self):
        data = super().clean()
        start = data.get("available_from") or timezone.localdate()
        data["available_from"] = start
        until = data.get("available_until")
        if until and until < start:
            self.add_error("available_until", "结束日期不能早于开始日期。")
        return data

    def worker_data(self):
        d = self.cleaned_data
        return {f: d[f] for f in WORKER_QUICK_FIELDS}


class PersonalFieldsMixin:
    """Form fields for a model's `PersonalField`s (not columns, so a ModelForm cannot list
    them): declared on the form, filled from the instance, saved by the service."""

    personal_fields = ()

    def _init_personal(self):
        if self.instance.pk and not self.is_bound:
            for name in self.personal_fields:
                self.initial.setdefault(name, getattr(self.instance, name))


class WorkerDetailsForm(PersonalFieldsMixin, forms.ModelForm):
    """The optional second step, and later edits of job-seeking details."""

    personal_fields = ("mobile", "emergency_phone")
    # Typed with spaces, dashes or +86; stored as the digits (which fit the model's columns).
    mobile = forms.CharField(label="手机号码", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    emergency_phone = forms.CharField(
        label="紧急联系人电话", max_length=30, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    class Meta:
        model = Worker
        fields = [*WORKER_EDIT_FIELDS, "trades"]  # the trades go to `worker_update` on their own
        widgets = {
            "trades": forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            "available_from": DATE,
            "available_until": DATE,
            "notes": forms.Textarea(attrs={"rows": 2}),
            "education": forms.Select(attrs={"autofocus": True}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trades"].queryset = active_trades()
        # Left out of a post (an older form, a quick edit) it stays 无, not a refusal.
        self.fields["startup_intent"].required = False
        self._init_personal()

    def clean_mobile(self):
        return normalize_mobile(self.cleaned_data["mobile"])

    def clean_emergency_contact(self):
        return validate_person_name(self.cleaned_data["emergency_contact"], label="紧急联系人", required=False)

    def clean_startup_intent(self):
        return self.cleaned_data.get("startup_intent") or Worker.StartupIntent.NONE

    def clean_emergency_phone(self):
        value = self.cleaned_data["emergency_phone"]
        return normalize_phone(value, label="紧急联系人电话") if value.strip() else ""

    def service_data(self):
        return {f: self.cleaned_data[f] for f in WORKER_EDIT_FIELDS}


class EmployerForm(PersonalFieldsMixin, forms.ModelForm):
    personal_fields = ("phone",)
    phone = forms.CharField(label="联系电话", max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"}))

    class Meta:
        model = Employer
        fields = EMPLOYER_FIELDS
        widgets = {"name": forms.TextInput(attrs={"autofocus": True})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_personal()

    def clean_name(self):
        return validate_org_name(self.cleaned_data["name"], label="名称/姓名")

    def clean_contact_name(self):
        return validate_person_name(self.cleaned_data["contact_name"], label="联系人", required=False)

    def clean_credit_code(self):
        value = self.cleaned_data["credit_code"]
        return normalize_credit_code(value) if value.strip() else ""

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def service_data(self):
        return {f: self.cleaned_data[f] for f in self.Meta.fields}


class EmployerQuickForm(forms.Form):
    """The employer half of 发布用工. A known credit code (or a known individual's phone) is
    not an error at the window: the service reuses the existing employer."""

    name = forms.CharField(label="名称/姓名", max_length=100, widget=forms.TextInput(attrs={"autofocus": True}))
    kind = forms.ChoiceField(label="类型", choices=Employer.Kind.choices, initial=Employer.Kind.ENTERPRISE)
    credit_code = forms.CharField(
        label="统一社会信用代码", max_length=30, required=False, help_text="企业、机关事业单位必填；个人不填。"
    )
    contact_name = forms.CharField(label="联系人", max_length=40, required=False)
    phone = forms.CharField(label="联系电话", max_length=30)
    address = forms.CharField(label="地址", max_length=200, required=False)

    def clean_name(self):
        return validate_org_name(self.cleaned_data["name"], label="名称/姓名")

    def clean_contact_name(self):
        return validate_person_name(self.cleaned_data["contact_name"], label="联系人", required=False)

    def clean_credit_code(self):
        value = self.cleaned_data["credit_code"]
        return normalize_credit_code(value) if value.strip() else ""

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        kind, code = data.get("kind"), data.get("credit_code")
        if kind in Employer.CODE_REQUIRED and code == "":
            self.add_error("credit_code", "企业和机关事业单位须填写统一社会信用代码。")
        if kind == Employer.Kind.PERSON and code:
            self.add_error("credit_code", "家庭/个人用工不填写统一社会信用代码。")
        return data

    def service_data(self):
        return {f: self.cleaned_data[f] for f in EMPLOYER_FIELDS}


class PostingForm(forms.ModelForm):
    class Meta:
        model = Posting
        fields = POSTING_DATA_FIELDS
        widgets = {
            "work_date": DATE,
            "work_date_end": DATE,
            "valid_until": DATE,
            "start_time": TIME,
            "end_time": TIME,
            "requirements": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trade"].queryset = active_trades()
        self.fields["trade"].empty_label = "请选择工种"
        self.fields["work_date"].initial = timezone.localdate
        self.fields["valid_until"].required = False
        self.fields["valid_until"].help_text = "不填则到用工结束日期。"

    def clean(self):
        data = super().clean()
        work_date = data.get("work_date")
        if work_date and not data.get("valid_until"):
            data["valid_until"] = data.get("work_date_end") or work_date
        if work_date and work_date < timezone.localdate():
            self.add_error("work_date", "用工日期不能早于今天。")
        return data

    def service_data(self):
        return {f: self.cleaned_data[f] for f in self.Meta.fields}


class VisitForm(forms.Form):
    """One click per window; the person, topic and outcome are optional."""

    window = forms.ChoiceField(label="窗口", choices=WindowVisit.Window.choices)
    person = forms.CharField(
        label="身份证号或手机号(可不填)",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    topic = forms.CharField(label="事项", required=False, max_length=100)
    outcome = forms.CharField(label="办理结果", required=False, max_length=200)


class WorkerLookupForm(forms.Form):
    person = forms.CharField(
        label="身份证号或手机号",
        max_length=40,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class TrainingOfferForm(forms.ModelForm):
    class Meta:
        model = TrainingOffer
        fields = TRAINING_FIELDS
        widgets = {
            "course": forms.TextInput(attrs={"autofocus": True}),
            "start_date": DATE,
            "end_date": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trade"].queryset = active_trades()
        self.fields["market"].queryset = scope_queryset(Market.objects.all(), user).order_by("name")

    def service_data(self):
        return {f: self.cleaned_data[f] for f in self.Meta.fields}


class PolicyNoteForm(forms.ModelForm):
    class Meta:
        model = PolicyNote
        fields = POLICY_FIELDS
        widgets = {"title": forms.TextInput(attrs={"autofocus": True}), "body": forms.Textarea(attrs={"rows": 8})}

    def service_data(self):
        return {f: self.cleaned_data[f] for f in self.Meta.fields}
