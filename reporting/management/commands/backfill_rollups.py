import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max, Min

from reporting.models import DailyStat
from reporting.rollups import month_start, next_month, rollup_channels


class Command(BaseCommand):
    help = (
        "补算已有日汇总所覆盖日期的渠道指标（登记、发布岗位按渠道，线上报名，现场洽谈），"
        "并重算各月的月汇总及市州、全省汇总（可重复运行，结果相同）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", help="起始日期（YYYY-MM-DD），默认为最早的日汇总日期。")
        parser.add_argument("--end", help="结束日期（YYYY-MM-DD），默认为最晚的日汇总日期。")

    def handle(self, *args, **options):
        stored = DailyStat.objects.aggregate(first=Min("date"), last=Max("date"))
        try:
            start = datetime.date.fromisoformat(options["start"]) if options["start"] else stored["first"]
            end = datetime.date.fromisoformat(options["end"]) if options["end"] else stored["last"]
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD") from exc
        if start is None or end is None:
            self.stdout.write("没有日汇总，无需补算。")
            return
        if start > end:
            raise CommandError("起始日期不能晚于结束日期")
        rows, month = 0, month_start(start)
        while month <= end:  # one month per transaction
            last = min(next_month(month) - datetime.timedelta(days=1), end)
            rows += rollup_channels(start=max(month, start), end=last)
            month = next_month(month)
        self.stdout.write(f"{start} 至 {end}：渠道日汇总 {rows} 条，并重算所涉月份的月汇总及市州、全省汇总。")
