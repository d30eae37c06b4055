from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory

from gigmarket.core.choice_cache import cache_choices
from gigmarket.core.contact import PERSONAL_KINDS, normalize_phone, validate_person_name
from gigmarket.core.models import Division
from gigmarket.core.scoping import counties_in_scope
from gigmarket.core.uploads import ImageFileField, XlsxFileField
from gigmarket.core.widgets import FastSelect

from .models import (
    CHECKED_TEXT_FIELDS,
    FEATURE_FIELDS,
    FEATURES,
    WEEKDAY_LABELS,
    Feature,
    Market,
    Rectification,
    Trade,
    normalize_market_text,
)


def _labelled(label, message):
    return message if not label or message.startswith(str(label)) else f"{label}：{message}"


class MarketForm(forms.ModelForm):
    """The market record. County is chosen at creation only; the name is built by rule."""

    trades = forms.ModelMultipleChoiceField(
        label="服务工种", queryset=Trade.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Market
        fields = [
            "county",
            "kind",
            "industry",
            "township",
            "nature",
            "integrity_listed",
            "basis",
            "construction_unit",
            "maintenance_unit",
            "service_unit",
            "operator",
            "contact_person",
            "contact_phone",
            "hotline",
            "complaint_phone",
            "address",
            "longitude",
            "latitude",
            "near_gathering_point",
            "transport_notes",
            "status",
            "opened_on",
            "status_changed_on",
            "sign_hung",
            "remarks",
            *FEATURE_FIELDS,
        ]
        widgets = {
            "opened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "status_changed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["county"]
            self.initial.setdefault("trades", list(self.instance.trades.all()))
            selected = self.instance.trades.all()
        else:
            self.fields["county"].queryset = (
                counties_in_scope(user).filter(is_active=True).select_related("parent").order_by("code")
            )
            self.fields["county"].label_from_instance = lambda d: f"{d.parent.short_name} {d.name}"
            selected = Trade.objects.none()
        self.fields["trades"].queryset = (Trade.objects.filter(is_active=True) | selected).distinct()
        statuses = [Market.Status.PLANNING, Market.Status.OPERATING, Market.Status.SUSPENDED]
        if self.instance.pk and self.instance.status == Market.Status.CLOSED:
            statuses.append(Market.Status.CLOSED)
        self.fields["status"].choices = [(s.value, s.label) for s in statuses]
        self.fields["basis"].choices = [("", "—— 请选择 ——"), *Market.Basis.choices]
        self.stored_problems = self._stored_problems()

    def clean(self):
        cleaned = super().clean()
        # Phones and names are checked every time, so a number saved before these checks
        # shows its error here until it is corrected.
        for field in CHECKED_TEXT_FIELDS:
            if field in cleaned:
                try:
                    cleaned[field] = normalize_market_text(field, cleaned[field])
                except ValidationError as exc:
                    self.add_error(field, exc)
        return cleaned

    def _stored_problems(self):
        """Lines for the phone and name fields saved before they were checked.

        Shown above the unbound edit form (and the fields marked) so staff see what to fix
        before they submit; a submitted form shows them as field errors.
        """
        if not self.instance.pk or self.is_bound:
            return []
        problems = []
        for field, messages in self.instance.stored_text_errors().items():
            widget = self.fields[field].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            problems.extend(_labelled(self.fields[field].label, message) for message in messages)
        return problems

    def error_summary(self):
        """Every field error as one line, led by the field's label unless the message names it."""
        return [
            _labelled(self.fields[field].label if field in self.fields else "", message)
            for field, messages in self.errors.items()
            if field != "__all__"
            for message in messages
        ]

    def feature_groups(self):
        """[(group label, [bound fields])] for the zones / windows / areas / facilities block."""
        groups = []
        for group, label in Feature.GROUP_LABELS.items():
            groups.append((label, [self[f.field] for f in FEATURES if f.group == group]))
        return groups

    def record_data(self):
        """The cleaned record fields for the service (without county and trades)."""
        return {k: v for k, v in self.cleaned_data.items() if k not in ("county", "trades")}


class OpeningPeriodForm(forms.Form):
    weekdays = forms.MultipleChoiceField(
        label="星期",
        choices=[(str(d), label) for d, label in WEEKDAY_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    opens = forms.TimeField(label="开始时间", required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    closes = forms.TimeField(label="结束时间", required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self):
        cleaned = super().clean()
        days, opens, closes = cleaned.get("weekdays"), cleaned.get("opens"), cleaned.get("closes")
        if not days and opens is None and closes is None:
            cleaned["empty"] = True
            return cleaned
        if not days:
            self.add_error("weekdays", "请选择星期。")
        if opens is None:
            self.add_error("opens", "请填写开始时间。")
        if closes is None:
            self.add_error("closes", "请填写结束时间。")
        if opens is not None and closes is not None and opens >= closes:
            self.add_error("closes", "结束时间必须晚于开始时间。")
        return cleaned


class BaseOpeningPeriodFormSet(forms.BaseFormSet):
    def periods(self):
        """[(weekdays digits, opens, closes)] for the filled rows."""
        out = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("empty") or (self.can_delete and data.get("DELETE")):
                continue
            out.append(("".join(sorted(data["weekdays"])), data["opens"], data["closes"]))
        return out


OpeningPeriodFormSet = formset_factory(
    OpeningPeriodForm, formset=BaseOpeningPeriodFormSet, extra=2, max_num=14, validate_max=True
)


def periods_initial(market):
    return [{"weekdays": list(p.weekdays), "opens": p.opens, "closes": p.closes} for p in market.opening_periods.all()]


class CloseForm(forms.Form):
    closed_on = forms.DateField(label="撤销日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="撤销原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


class MarketFilterForm(forms.Form):
    q = forms.CharField(label="名称", required=False, max_length=50)
    city = forms.ModelChoiceField(
        label="市州", queryset=Division.objects.none(), required=False, empty_label="全部", widget=FastSelect
    )
    county = forms.ModelChoiceField(
        label="县区", queryset=Division.objects.none(), required=False, empty_label="全部", widget=FastSelect
    )
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部"), *Market.Status.choices], required=False, widget=FastSelect
    )
    kind = forms.ChoiceField(
        label="类型", choices=[("", "全部"), *Market.Kind.choices], required=False, widget=FastSelect
    )
    nature = forms.ChoiceField(
        label="性质", choices=[("", "全部"), *Market.Nature.choices], required=False, widget=FastSelect
    )
    trade = forms.ModelChoiceField(
        label="工种", queryset=Trade.objects.all(), required=False, empty_label="全部", widget=FastSelect
    )

    def __init__(self, *args, counties, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties.order_by("code")
        self.fields["city"].queryset = cities.order_by("code")
        for name in ("city", "county", "trade"):
            cache_choices(self.fields[name], f"MarketFilterForm.{name}")
        for name, field in self.fields.items():
            if name != "q":
                # Rendered by the widget: one query per list, no COUNT first.
                field.widget.attrs["class"] = "form-select form-select-sm"

    def filters(self):
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    def filter_labels(self):
        """The filters in use as the user chose them ({"status": "运营中"}), for the export's audit row."""
        shown = {}
        for name, value in self.filters().items():
            choices = getattr(self.fields[name], "choices", None)
            if isinstance(value, str) and name != "q" and choices is not None:
                value = dict(choices).get(value, value)
            shown[name] = str(value)
        return shown


class ImportForm(forms.Form):
    # Every check of the one upload path (gigmarket.core.uploads) runs as the field's validator.
    file = XlsxFileField(label="附件1 表格（.xlsx）")


class TradeForm(forms.ModelForm):
    class Meta:
        model = Trade
        fields = ["code", "name", "category", "sort_order", "is_active"]
        help_texts = {"code": "如 JZ-11；保存后其他模块按代码引用，请勿随意修改。"}


class PublicSearchForm(forms.Form):
    q = forms.CharField(label="名称或地址", required=False, max_length=50)
    city = forms.ModelChoiceField(
        label="市州", queryset=Division.objects.none(), required=False, empty_label="全部", widget=FastSelect
    )
    county = forms.ModelChoiceField(
        label="县区", queryset=Division.objects.none(), required=False, empty_label="全部", widget=FastSelect
    )
    trade = forms.ModelChoiceField(
        label="工种", queryset=Trade.objects.none(), required=False, empty_label="全部", widget=FastSelect
    )

    def __init__(self, *args, cities, counties, trades, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities
        self.fields["county"].queryset = counties
        self.fields["trade"].queryset = trades


# ------------------------------------------------------------------ 整改


class RectificationForm(forms.Form):
    """What the open and update pages ask for (the item is chosen on the market's standard check)."""

    deadline = forms.DateField(label="整改期限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    responsible_person = forms.CharField(label="整改责任人", max_length=40)
    responsible_phone = forms.CharField(
        label="责任人电话", max_length=30, required=False, help_text="手机或固定电话，选填；列表中只显示部分号码。"
    )
    note = forms.CharField(label="整改要求", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_responsible_person(self):
        return validate_person_name(self.cleaned_data["responsible_person"], label="整改责任人")

    def clean_responsible_phone(self):
        return normalize_phone(
            self.cleaned_data["responsible_phone"], kinds=PERSONAL_KINDS, label="责任人电话", required=False
        )


class RectificationEvidenceForm(forms.Form):
    # The one checked path for images (gigmarket.core.uploads): real JPEG/PNG, size-capped.
    image = ImageFileField(label="整改照片（JPG 或 PNG）")
    caption = forms.CharField(label="照片说明", max_length=100, required=False)


class RectificationCloseForm(forms.Form):
    note = forms.CharField(label="关闭原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class RectificationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部"), *Rectification.Status.choices], required=False, widget=FastSelect
    )
    overdue = forms.BooleanField(label="仅看已逾期", required=False)
    county = forms.ModelChoiceField(
        label="县区", queryset=Division.objects.none(), required=False, empty_label="全部", widget=FastSelect
    )

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties.order_by("code")
        for name in ("status", "county"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def filters(self):
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}
