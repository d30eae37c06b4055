"""Form of 意外伤害保险 enrolments (registry.insurance)."""

from django import forms

from .models import InsuranceEnrolment

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnrolmentForm(forms.ModelForm):
    class Meta:
        model = InsuranceEnrolment
        fields = ["insurer", "policy_no", "starts_on", "ends_on", "premium"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["premium"].min_value = 0
        self.fields["premium"].widget.attrs["min"] = 0

    def clean_premium(self):
        value = self.cleaned_data["premium"]
        if value is not None and value < 0:
            raise forms.ValidationError("保费不能为负数。")
        return value

    def _post_clean(self):
        # The service validates the row with its worker; the form checks the fields only.
        pass

    def service_data(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}
