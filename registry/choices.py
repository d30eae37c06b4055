"""Choices shared by several registry models (and by the tier rule: `Gender`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PayUnit(models.TextChoices):
    DAY = "day", _("日")
    HOUR = "hour", _("时")
    PIECE = "piece", _("件")
    MONTH = "month", _("月")


class Channel(models.TextChoices):
    """How a record came in: typed by a clerk at the window, or by the person online."""

    ONLINE = "online", _("线上")
    COUNTER = "counter", _("现场")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
