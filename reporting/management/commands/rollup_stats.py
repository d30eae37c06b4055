import datetime

from django.core.management.base import BaseCommand, CommandError

from reporting.calendar import beijing_today
from reporting.rollups import rollup_days


class Command(BaseCommand):
    help = "重新计算监测日汇总及所涉月份的月汇总（可重复运行，结果相同）。"

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
        days = [day - datetime.timedelta(days=offset) for offset in range(options["days"] - 1, -1, -1)]
        rows = rollup_days(days=days)
        self.stdout.write(f"{days[0]} 至 {days[-1]}：日汇总 {rows} 条，并重算所涉月份的月汇总。")
