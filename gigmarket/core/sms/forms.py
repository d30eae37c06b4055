from django import forms
from django.core.exceptions import ValidationError

from ..models import SmsMessage
from .services import normalize_mobile
from .templates import TEMPLATES


class OutboxFilterForm(forms.Form):
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *SmsMessage.State.choices])
    template = forms.ChoiceField(
        label="短信类型", required=False, choices=[("", "全部"), *((k, t.label) for k, t in TEMPLATES.items())]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


class OptOutForm(forms.Form):
    phone = forms.CharField(
        label="退订手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "inputmode": "tel"}),
    )

    def clean_phone(self):
        try:
            return normalize_mobile(self.cleaned_data["phone"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
