from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import validate_password
from django.core.validators import MaxLengthValidator

from .contact import PERSONAL_KINDS, normalize_phone, validate_person_name
from .models import AuditEvent, Division, Role, User
from .scoping import scope_queryset
from .security import USERNAME_MAX_LENGTH
from .selectors import divisions_for_role, roles_manageable_by

USERNAME_TOO_LONG = "用户名过长：最多%(limit_value)d个字符，请检查后重新输入。"


class UsernameLengthMixin:
    """Django's login forms set the username's maxlength attribute but never check it: a
    longer name went on to authenticate (and django-axes could not store it). Refuse it
    first, in Chinese; no authentication is tried."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        field = self.fields["username"]
        field.max_length = USERNAME_MAX_LENGTH
        field.widget.attrs["maxlength"] = USERNAME_MAX_LENGTH
        field.validators.append(MaxLengthValidator(USERNAME_MAX_LENGTH, message=USERNAME_TOO_LONG))


class LoginForm(UsernameLengthMixin, auth_forms.AuthenticationForm):
    """The portal's login form."""


class AdminLoginForm(UsernameLengthMixin, AdminAuthenticationForm):
    """The Django admin's login form, with the same check."""


class UserForm(forms.ModelForm):
    """Create or edit an account within the manager's scope."""

    password1 = forms.CharField(label="密码", widget=forms.PasswordInput, required=False, strip=False)
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput, required=False, strip=False)

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email", "role", "division", "market", "is_active"]
        labels = {"username": "登录账号", "email": "电子邮箱", "is_active": "启用"}
        help_texts = {
            "username": "字母、数字及 @/./+/-/_，最多150个字符。",
            "division": "省级、市州、县级账号选择所属区划；窗口工作人员只需选择零工市场。",
        }

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        self.manager = manager
        roles = roles_manageable_by(manager)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
        allowed = Division.objects.none()
        for role in roles:
            allowed = allowed | divisions_for_role(manager, role)
        self.fields["division"].queryset = allowed.order_by("code")
        self.fields["division"].required = False
        Market = User._meta.get_field("market").related_model  # the core imports no product app
        self.fields["market"].queryset = scope_queryset(Market.objects.select_related("county"), manager).exclude(
            status=Market.Status.CLOSED
        )
        self.fields["market"].required = False
        self.fields["full_name"].required = True
        if self.instance.pk:
            del self.fields["password1"]
            del self.fields["password2"]
        else:
            self.fields["password1"].required = True
            self.fields["password2"].required = True

    def clean_full_name(self):
        return validate_person_name(self.cleaned_data["full_name"], label="姓名")

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"], kinds=PERSONAL_KINDS, label="联系电话", required=False)

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        division = cleaned.get("division")
        market = cleaned.get("market")
        if role == Role.CLERK:
            if market is None:
                self.add_error("market", "窗口工作人员必须选择所在零工市场。")
            else:
                cleaned["division"] = market.county
        elif role:
            cleaned["market"] = None
            if division is None:
                self.add_error("division", "请选择所属区划。")
            elif division not in divisions_for_role(self.manager, role):
                self.add_error("division", "所选区划与角色不符或超出您的管理范围。")
        if "password1" in self.fields:
            p1, p2 = cleaned.get("password1"), cleaned.get("password2")
            if p1 and p2 and p1 != p2:
                self.add_error("password2", "两次输入的密码不一致。")
            elif p1:
                probe = User(username=cleaned.get("username") or "", full_name=cleaned.get("full_name") or "")
                try:
                    validate_password(p1, probe)
                except forms.ValidationError as exc:
                    self.add_error("password1", exc)
        return cleaned

    def account_data(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(label="新密码", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="确认新密码", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "两次输入的密码不一致。")
        elif p1:
            try:
                validate_password(p1, self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The user's own change: current password, then a new one that differs from it."""

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", "新密码不能与当前密码相同。")
        return cleaned


class AuditFilterForm(forms.Form):
    """Filters of the audit log page and its export (applied by `selectors.filter_audit_events`)."""

    action = forms.ChoiceField(label="操作", required=False)
    actor = forms.CharField(label="操作账号", required=False, max_length=150)
    # A list of the object types that occur; any text typed into the URL is accepted too
    # and matched against the types' Chinese names (shown as one more option).
    target_type = forms.CharField(label="对象类型", required=False, max_length=60, widget=forms.Select)
    target = forms.CharField(
        label="对象",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "名称或对象类型，如 市场"}),
    )
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, target_types=(), **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["action"].choices = [("", "全部")] + list(AuditEvent.Action.choices)
        choices = [("", "全部"), *target_types]
        typed = (self.data.get("target_type") or "").strip() if self.is_bound else ""
        if typed and typed not in {value for value, _ in choices}:
            choices.append((typed, f"名称含“{typed}”"))
        self.fields["target_type"].widget.choices = choices
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css

    def filter_labels(self):
        """The filters in use, as {name: what the user chose} for the export's audit row."""
        if not self.is_valid():
            return {}
        shown = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            if name == "action":
                value = dict(self.fields["action"].choices).get(value, value)
            elif name == "target_type":
                value = dict(self.fields["target_type"].widget.choices).get(value, value)
            shown[name] = str(value)
        return shown


def add_service_error(form, exc):
    """Put a service's refusal on `form`, so the page is shown again (400) with what was typed.

    A `ValidationError` with fields puts each field's messages on that field, or on the
    form when it has no such field; one without fields, and any other exception with a
    Chinese message (e.g. `TrainingFull`), goes on the form.
    """
    if not isinstance(exc, forms.ValidationError):
        form.add_error(None, str(exc))
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def form_data(request):
    """What a view binds its form to: the POST (even an empty one, which is then invalid: 400), None on GET."""
    return request.POST if request.method == "POST" else None
