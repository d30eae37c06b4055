"""Django's own wording that no translation catalogue can reach.

Django writes the empty choice of a select ("---------") as a literal, not through
gettext, in two places: `BLANK_CHOICE_DASH` (model fields with choices, foreign keys
in the admin's filters) and the `empty_label` default of `ModelChoiceField` (every
foreign key on a ModelForm). `install()` (run once from `GigmarketConfig.ready`)
replaces both with 请选择, so every form, the portal's and the Django admin's, shows
it without each form having to set it. A form that wants a more specific prompt
("请选择工种", "全部") still sets its own `empty_label` or choices.

Messages that Django does translate are reworded in `locale/zh_Hans/LC_MESSAGES/django.po`.
"""

from django.db.models import fields
from django.forms import ModelChoiceField

BLANK_LABEL = "请选择"


def install():
    fields.BLANK_CHOICE_DASH[:] = [("", BLANK_LABEL)]  # the list object is the default argument itself
    ModelChoiceField.__init__.__kwdefaults__["empty_label"] = BLANK_LABEL
