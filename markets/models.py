"""零工市场 records and the shared occupation list (职业/工种/岗位)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gigmarket.models import Division


class Trade(models.Model):
    """One occupation / trade a gig market serves. Shared by every app."""

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    category = models.CharField(_("类别"), max_length=40, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("职业(工种)")
        verbose_name_plural = _("职业(工种)")

    def __str__(self):
        return self.name


class Market(models.Model):
    """A 零工市场 (or a township 零工驿站) under one county."""

    scope_county_path = "county"
    scope_market_path = "pk"

    class Kind(models.TextChoices):
        GENERAL = "general", _("综合")
        INDUSTRY = "industry", _("行业")
        STATION = "station", _("零工驿站")

    class Status(models.TextChoices):
        PLANNING = "planning", _("筹建中")
        OPERATING = "operating", _("运营中")
        SUSPENDED = "suspended", _("暂停")
        CLOSED = "closed", _("已撤销")

    name = models.CharField(_("名称"), max_length=100, unique=True, editable=False)
    county = models.ForeignKey(
        Division,
        verbose_name=_("县(市、区)"),
        on_delete=models.PROTECT,
        related_name="markets",
        limit_choices_to={"level": Division.Level.COUNTY},
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.GENERAL)
    industry = models.CharField(_("行业"), max_length=20, blank=True, help_text=_("行业零工市场填写，如“建筑”。"))
    township = models.CharField(_("乡镇(街道)"), max_length=30, blank=True, help_text=_("零工驿站所在乡镇(街道)。"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNING, db_index=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["county__code", "name"]
        verbose_name = _("零工市场")
        verbose_name_plural = _("零工市场")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = self.build_name()
        super().save(*args, **kwargs)

    def build_name(self):
        """贵州省{市州}{县区}({行业}行业)零工市场, or …{乡镇}零工驿站 for a township station."""
        county = self.county
        city = county.parent
        prefix = f"贵州省{city.short_name}{county.short_name}"
        if self.kind == self.Kind.STATION:
            return f"{prefix}{self.township}零工驿站"
        if self.kind == self.Kind.INDUSTRY:
            industry = self.industry.removesuffix("行业")
            return f"{prefix}({industry}行业)零工市场"
        return f"{prefix}零工市场"
