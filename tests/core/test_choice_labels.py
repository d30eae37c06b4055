"""`ChoiceLabels` gives exactly what Django's own `get_FOO_display()` gives, for every choice field."""

import pytest
from django.apps import apps
from django.db import models

from gigmarket.core.choices import ChoiceLabels

OURS = ("gigmarket", "markets", "registry", "matching", "reporting")


def choice_fields():
    for model in apps.get_models():
        if model._meta.app_label not in OURS:
            continue
        for field in model._meta.concrete_fields:
            if field.choices:
                yield model, field


def test_every_model_with_choices_uses_the_fast_labels():
    slow = sorted({m.__name__ for m, _f in choice_fields() if not issubclass(m, ChoiceLabels)})
    assert slow == []


@pytest.mark.parametrize(("model", "field"), list(choice_fields()), ids=lambda x: getattr(x, "name", str(x)))
def test_labels_match_django(model, field):
    values = [value for value, _label in field.flatchoices] + ["no-such-choice", None, 999]
    for value in values:
        instance = model()
        setattr(instance, field.attname, value)
        ours = getattr(instance, f"get_{field.name}_display")()
        django = models.Model._get_FIELD_display(instance, field)
        assert ours == django and type(ours) is type(django), (field, value)
