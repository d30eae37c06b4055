"""Forms of 就业困难人员认定 (registry.recognition)."""

from django import forms
from django.utils import timezone

from .models import HardshipRecognition

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecognitionForm(forms.ModelForm):
    class Meta:
        model = HardshipRecognition
        fields = ["basis", "basis_note", "document_no", "recognised_on", "valid_until"]
        widgets = {"recognised_on": DATE, "valid_until": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recognised_on"].initial = timezone.localdate

    def _post_clean(self):
        # The service validates the row with its worker (full_clean); the form checks fields only.
        pass

    def service_data(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class RecognitionEndForm(forms.Form):
    on = forms.DateField(label="终止日期", widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label="终止原因", max_length=200, error_messages={"required": "请填写终止原因。"})
