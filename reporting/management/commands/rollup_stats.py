import datetime

from django.core.management.base import BaseCommand, CommandError

from reporting.calendar import beijing_today
from reporting.monitoring import rollup_day


class Command(BaseCommand):
    help = "重新计算监测日汇总（可重复运行，结果相同）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="汇总日期（YYYY-MM-DD），默认为今天。")
        parser.add_argument("--days", type=int, default=1, help="从该日期往前共汇总多少天，默认 1。")

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["date"]) if options["date"] else beijing_today()
        except ValueError as exc:
            raise CommandError("--date 格式应为 YYYY-MM-DD") from exc
        if options["days"] < 1:
            raise CommandError("--days 至少为 1")
        for offset in range(options["days"] - 1, -1, -1):
            current = day - datetime.timedelta(days=offset)
            rows = rollup_day(day=current)
            self.stdout.write(f"{current}: {rows} 条汇总")
