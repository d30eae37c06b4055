import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

CLASSES = [
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"[0-9]"), "数字"),
    (re.compile(r"[^a-zA-Z0-9]"), "符号"),
]


class CharacterClassValidator:
    """A password must mix at least three of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = sum(1 for pattern, _ in CLASSES if pattern.search(password))
        if found < self.min_classes:
            raise ValidationError(
                "密码须至少包含大写字母、小写字母、数字、符号中的%(n)d类。",
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self):
        return f"密码须至少包含大写字母、小写字母、数字、符号中的{self.min_classes}类。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese error (Django 5.2's zh_Hans catalogue lacks it)."""

    def get_error_message(self):
        return f"密码长度太短。密码必须包含至少 {self.min_length} 个字符。"


# Separators people put inside a name: spaces (also full-width) and the middle dots of
# transcribed names (阿卜杜·热合曼).
NAME_SEPARATORS = re.compile(r"[\s·•・.\-_]+")


class PersonalInfoValidator:
    """A password must not contain the account's username or the person's full name.

    The exact characters, compared case-insensitively for Latin letters (casefold), with the
    separators of a name (spaces, middle dots) also taken out. A one-character name or a
    username under three characters is not checked (it would refuse most passwords).
    Django's similarity check does not look at `full_name`, which is where a Chinese name is.
    """

    def validate(self, password, user=None):
        if user is None or not password:
            return
        folded = password.casefold()
        compact = NAME_SEPARATORS.sub("", folded)
        username = (getattr(user, "username", "") or "").strip().casefold()
        if len(username) >= 3 and (username in folded or username in compact):
            raise ValidationError("密码不能包含登录账号。", code="password_contains_username")
        name = (getattr(user, "full_name", "") or "").strip().casefold()
        for variant in {name, NAME_SEPARATORS.sub("", name)}:
            if len(variant) >= 2 and (variant in folded or variant in compact):
                raise ValidationError("密码不能包含您的姓名。", code="password_contains_name")

    def get_help_text(self):
        return "密码不能包含登录账号或姓名。"
