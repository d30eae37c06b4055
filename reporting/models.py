"""名录 reporting (notice 十三), reminders and monitoring rollups (notice 九)."""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gigmarket.core.choices import ChoiceLabels
from gigmarket.core.models import Division, user_ref

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


class ReportingRule(ChoiceLabels, models.Model):
    """One line of the reporting calendar, kept as data so 省级 staff can change it.

    A rule generates consecutive periods of its cadence from `effective_from` up to
    `effective_until` (open-ended when empty). Each period is due `due_offset_days`
    after it ends, unless the rule fixes a due date (the one-off first report).
    """

    class Cadence(models.TextChoices):
        ONCE = "once", _("一次性")
        QUARTERLY = "quarterly", _("按季度")
        HALF_YEARLY = "half_yearly", _("按半年")

    name = models.CharField(_("规则名称"), max_length=60)
    cadence = models.CharField(_("报送周期"), max_length=12, choices=Cadence.choices)
    effective_from = models.DateField(_("起始日期"), help_text=_("第一个报送期的开始日期。"))
    effective_until = models.DateField(
        _("截止日期"), null=True, blank=True, help_text=_("最后一个报送期的结束日期；留空表示长期有效。")
    )
    due_offset_days = models.PositiveSmallIntegerField(
        _("期末后报送天数"), default=5, help_text=_("报送期结束后第几天为报送截止日。")
    )
    fixed_due_date = models.DateField(_("指定截止日"), null=True, blank=True, help_text=_("仅用于一次性报送。"))
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("报送规则")
        verbose_name_plural = _("报送规则")

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.effective_until and self.effective_from and self.effective_until < self.effective_from:
            errors["effective_until"] = _("截止日期不能早于起始日期。")
        if self.cadence == self.Cadence.ONCE:
            if not self.effective_until:
                errors["effective_until"] = _("一次性报送必须填写截止日期（报送期结束日）。")
            if not self.fixed_due_date:
                errors["fixed_due_date"] = _("一次性报送必须填写指定截止日。")
        if errors:
            raise ValidationError(errors)


class ReportingPeriod(models.Model):
    """A 名录 reporting period (e.g. 2023年第一季度) and its due date."""

    name = models.CharField(_("报送期"), max_length=40)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    due_date = models.DateField(_("报送截止日"), db_index=True)
    rule = models.ForeignKey(
        ReportingRule, verbose_name=_("报送规则"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("报送期")
        verbose_name_plural = _("报送期")
        constraints = [models.UniqueConstraint(fields=["start", "end"], name="reporting_period_unique_span")]

    def __str__(self):
        return self.name

    @property
    def deadline(self):
        """The end of the due day in Beijing time: submissions before this instant are on time."""
        next_day = self.due_date + datetime.timedelta(days=1)
        return datetime.datetime.combine(next_day, datetime.time.min, tzinfo=BEIJING)


class Submission(ChoiceLabels, models.Model):
    """One county's 名录 report for one period, moving county → 市州 → 省."""

    scope_county_path = "county"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已报送，待市州审核")
        FORWARDED = "forwarded", _("市州已审核，待省级确认")
        ACCEPTED = "accepted", _("省级已确认（已锁定）")
        RETURNED = "returned", _("已退回，待重新报送")

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("报送期"), on_delete=models.PROTECT, related_name="submissions"
    )
    county = models.ForeignKey(
        Division, verbose_name=_("县(市、区)"), on_delete=models.PROTECT, related_name="reporting_submissions"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, db_index=True)
    first_submitted_at = models.DateTimeField(_("首次报送时间"))
    submitted_at = models.DateTimeField(_("最近报送时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("最近审核时间"), null=True, blank=True)
    reviewed_by = user_ref(_("最近审核人"))
    return_reason = models.TextField(_("退回原因"), blank=True)
    unlock_reason = models.TextField(_("解锁原因"), blank=True)
    version = models.PositiveIntegerField(_("报送版本"), default=1)
    rows = models.JSONField(_("名录快照"), default=list, editable=False)
    market_count = models.PositiveIntegerField(_("市场数"), default=0)

    class Meta:
        ordering = ["period", "county__code"]
        verbose_name = _("名录报送")
        verbose_name_plural = _("名录报送")
        constraints = [models.UniqueConstraint(fields=["period", "county"], name="reporting_submission_unique")]

    def __str__(self):
        return f"{self.county.name} {self.period.name}"

    @property
    def is_on_time(self):
        return self.first_submitted_at < self.period.deadline

    @property
    def is_locked(self):
        return self.status == self.Status.ACCEPTED


class Notification(ChoiceLabels, models.Model):
    """An in-app message (and, when the user has an address, an e-mail)."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("报送提醒")
        OVERDUE = "overdue", _("逾期通知")
        SUMMARY = "summary", _("未报送汇总")
        REVIEW = "review", _("审核结果")
        TO_REVIEW = "to_review", _("待审核")
        RECTIFICATION = "rectify", _("整改逾期")

    class EmailStatus(models.TextChoices):
        NONE = "none", _("无邮箱")
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    email_status = models.CharField(_("邮件"), max_length=8, choices=EmailStatus.choices, default=EmailStatus.NONE)
    email_sent_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["email_status"]),
        ]

    def __str__(self):
        return self.title


class ReminderDispatch(models.Model):
    """The claim that one reminder of one kind went out for one county and period.

    Inserted in the same transaction as the notifications it sends; the unique
    constraint is what makes a reminder go out exactly once, however often beat fires.
    For the province summary `county` is the province division.
    """

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="reminder_dispatches")
    county = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("提醒类型"), max_length=20)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    notification_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("提醒发送记录")
        verbose_name_plural = _("提醒发送记录")
        constraints = [
            models.UniqueConstraint(fields=["period", "county", "kind"], name="reporting_reminder_once"),
        ]

    def __str__(self):
        return f"{self.period} {self.county} {self.kind}"


class DailyStat(ChoiceLabels, models.Model):
    """One pre-aggregated monitoring number: a metric for a day, market and trade.

    Maintained by `rollup_stats` (idempotent: a day is recomputed and replaced). Pages
    sum these rows instead of counting registry records on every request.
    """

    scope_county_path = "county"
    scope_market_path = "market"

    class Metric(models.TextChoices):
        SEEKERS = "seekers", _("登记求职人数")
        NEW_SEEKERS = "new_seekers", _("新增求职登记")
        VISITS = "visits", _("窗口服务人次")
        POSTINGS = "postings", _("发布岗位数")
        HEADCOUNT = "headcount", _("招聘人数")
        MATCHES = "matches", _("对接成功数")
        ONBOARDED = "onboarded", _("到岗人数")
        RIGHTS_CASES = "rights_cases", _("维权案件数")
        # The channel split (reporting.channels): dimension is the channel (online / counter).
        CHANNEL_SEEKERS = "channel_seekers", _("新增登记（按渠道）")
        CHANNEL_POSTINGS = "channel_postings", _("发布岗位（按渠道）")
        APPLICATIONS = "applications", _("线上报名")
        COUNTER_TALKS = "counter_talks", _("现场洽谈")

    date = models.DateField(_("日期"))
    county = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    market = models.ForeignKey("markets.Market", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    trade = models.ForeignKey("markets.Trade", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(_("指标"), max_length=20, choices=Metric.choices)
    dimension = models.CharField(_("细分"), max_length=30, blank=True, help_text=_("如窗口类型。"))
    value = models.BigIntegerField(_("数值"), default=0)

    class Meta:
        verbose_name = _("监测日汇总")
        verbose_name_plural = _("监测日汇总")
        # Covering indexes (PostgreSQL): page sums are answered from the index alone.
        indexes = [
            models.Index(
                fields=["date", "metric"],
                include=["county", "market", "trade", "dimension", "value"],
                name="reporting_stat_day",
            ),
            models.Index(
                fields=["county", "date"],
                include=["market", "trade", "metric", "dimension", "value"],
                name="reporting_stat_county_day",
            ),
            # Province and 市州 pages read only the per-county rows (market empty): a
            # partial index over those rows alone, led by the metric the queries filter on.
            models.Index(
                fields=["metric", "date"],
                condition=models.Q(market__isnull=True),
                include=["county", "trade", "dimension", "value"],
                name="reporting_stat_county_rows",
            ),
            # Their totals (no trade): the stock day, the stock rows, trend sums.
            models.Index(
                fields=["metric", "date"],
                condition=models.Q(market__isnull=True, trade__isnull=True),
                include=["county", "dimension", "value"],
                name="reporting_stat_county_totals",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.metric} {self.value}"


class MonthlyStat(ChoiceLabels, models.Model):
    """A flow metric of `DailyStat` summed over one calendar month (same county, market,
    trade, metric and dimension).

    Rebuilt from the daily rows whenever a day of the month is rolled up, in the same
    transaction, so a sum over whole months equals the sum over their days. Trends and
    period figures read whole months here (about 30 times fewer rows) and only the days of
    a partial month from `DailyStat`. Stocks (registered job seekers) stay daily: they are
    read on one day.
    """

    scope_county_path = "county"
    scope_market_path = "market"

    month = models.DateField(_("月份"), help_text=_("该月1日。"))
    county = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    market = models.ForeignKey("markets.Market", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    trade = models.ForeignKey("markets.Trade", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(_("指标"), max_length=20, choices=DailyStat.Metric.choices)
    dimension = models.CharField(_("细分"), max_length=30, blank=True)
    value = models.BigIntegerField(_("数值"), default=0)

    class Meta:
        verbose_name = _("监测月汇总")
        verbose_name_plural = _("监测月汇总")
        # The same covering indexes as the daily rows (PostgreSQL answers from the index).
        indexes = [
            models.Index(
                fields=["month", "metric"],
                include=["county", "market", "trade", "dimension", "value"],
                name="reporting_mstat_month",
            ),
            models.Index(
                fields=["county", "month"],
                include=["market", "trade", "metric", "dimension", "value"],
                name="reporting_mstat_county_month",
            ),
            models.Index(
                fields=["metric", "month"],
                condition=models.Q(market__isnull=True),
                include=["county", "trade", "dimension", "value"],
                name="reporting_mstat_county_rows",
            ),
            models.Index(
                fields=["metric", "month"],
                condition=models.Q(market__isnull=True, trade__isnull=True),
                include=["county", "dimension", "value"],
                name="reporting_mstat_county_totals",
            ),
            # One county's page: its markets' flows, and its trade rows, without stepping
            # over the other counties' rows or every market's trade rows (at province
            # scale the county dashboard read 65 k index entries to keep 7 k).
            models.Index(
                fields=["county", "month"],
                condition=models.Q(trade__isnull=True),
                include=["market", "metric", "dimension", "value"],
                name="reporting_mstat_county_flow",
            ),
            models.Index(
                fields=["county", "month"],
                condition=models.Q(market__isnull=True, trade__isnull=False),
                include=["trade", "metric", "value"],
                name="reporting_mstat_county_trades",
            ),
            # Every market's flows of a few metrics over a period (the 名录 reality check on
            # the period board): at medium scale 60 k index entries instead of 326 k.
            models.Index(
                fields=["metric", "month"],
                condition=models.Q(market__isnull=False, trade__isnull=True),
                include=["county", "market", "value"],
                name="reporting_mstat_market_flow",
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.metric} {self.value}"


class RegionStat(ChoiceLabels, models.Model):
    """The columns a region rollup row has besides its day or month."""

    division = models.ForeignKey(Division, verbose_name=_("市州或省"), on_delete=models.PROTECT, related_name="+")
    trade = models.ForeignKey("markets.Trade", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(_("指标"), max_length=20, choices=DailyStat.Metric.choices)
    dimension = models.CharField(_("细分"), max_length=30, blank=True)
    value = models.BigIntegerField(_("数值"), default=0)

    class Meta:
        abstract = True


def region_stat_indexes(when, prefix):
    """A region rollup's two covering indexes, over `when` (date or month): totals and trades."""
    return [
        models.Index(
            fields=["division", "metric", when],
            condition=models.Q(trade__isnull=True),
            include=["dimension", "value"],
            name=f"{prefix}_totals",
        ),
        # led by the metric too: the trade stock's last day is then found by walking
        # one metric's dates backwards, not every trade flow row (70 ms at medium scale)
        models.Index(
            fields=["division", "metric", when],
            condition=models.Q(trade__isnull=False),
            include=["trade", "dimension", "value"],
            name=f"{prefix}_trades",
        ),
    ]


class RegionDailyStat(RegionStat):
    """A `DailyStat` per-county row summed over a 市州 or the whole province (`division`).

    The level above the counties, so a province page reads one row per metric and day
    instead of 88 (and a 市州 page one instead of about 10). Rebuilt from the per-county rows
    by `reporting.rollups.rollup_month`, with the month's `RegionMonthlyStat` rows.
    Only province and 市州 views of their own region read these rows
    (`reporting.figures.region_rows`); every narrower scope reads the per-county rows.
    """

    date = models.DateField(_("日期"))

    class Meta:
        verbose_name = _("监测日汇总（市州、全省）")
        verbose_name_plural = _("监测日汇总（市州、全省）")
        indexes = region_stat_indexes("date", "reporting_rstat")

    def __str__(self):
        return f"{self.date} {self.metric} {self.value}"


class RegionMonthlyStat(RegionStat):
    """`RegionDailyStat` flow rows summed over one calendar month."""

    month = models.DateField(_("月份"), help_text=_("该月1日。"))

    class Meta:
        verbose_name = _("监测月汇总（市州、全省）")
        verbose_name_plural = _("监测月汇总（市州、全省）")
        indexes = region_stat_indexes("month", "reporting_rmstat")

    def __str__(self):
        return f"{self.month:%Y-%m} {self.metric} {self.value}"


class CityApproval(ChoiceLabels, models.Model):
    """A 市州's approval of its level for one period, DHIS2-style (`reporting.approval`).

    No row (or a withdrawn one) means the state is computed from its counties: waiting
    while an active county is not yet accepted, ready once all are. The 市州 approves
    (APPROVED), the province accepts the approval (ACCEPTED); each step can be taken
    back with a reason, one level at a time.
    """

    class Status(models.TextChoices):
        APPROVED = "approved", _("市州已审批")
        ACCEPTED = "accepted", _("省级已确认")
        WITHDRAWN = "withdrawn", _("已取消审批")

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="city_approvals")
    city = models.ForeignKey(Division, verbose_name=_("市州"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approved_by = user_ref(_("审批人"))
    accepted_at = models.DateTimeField(_("省级确认时间"), null=True, blank=True)
    accepted_by = user_ref(_("省级确认人"))
    reason = models.TextField(_("取消原因"), blank=True)

    class Meta:
        verbose_name = _("市州审批")
        verbose_name_plural = _("市州审批")
        constraints = [models.UniqueConstraint(fields=["period", "city"], name="reporting_city_approval_unique")]

    def __str__(self):
        return f"{self.city.name} {self.period.name}"


class CityDigest(models.Model):
    """The claim that one 市州's weekly digest for one ISO week went out (`reporting.digest`).

    Inserted (and committed) before the e-mails are sent; the unique constraint is what
    makes the digest go out once per 市州 and week however often the task runs. `sent_at`
    is set after the mails are handed to the mail server: a row without it is a digest
    whose sending failed (it is not retried by itself; deleting the row lets it go again).
    """

    city = models.ForeignKey(Division, verbose_name=_("市州"), on_delete=models.PROTECT, related_name="+")
    iso_year = models.PositiveSmallIntegerField(_("年份(ISO)"))
    iso_week = models.PositiveSmallIntegerField(_("周次(ISO)"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("收件人数"), default=0)

    class Meta:
        ordering = ["-iso_year", "-iso_week", "city__code"]
        verbose_name = _("市州周报")
        verbose_name_plural = _("市州周报")
        constraints = [
            models.UniqueConstraint(fields=["city", "iso_year", "iso_week"], name="reporting_city_digest_once"),
        ]

    def __str__(self):
        return f"{self.city} {self.iso_year}年第{self.iso_week}周"
