"""Bring every worker's stored 分级服务 tier up to a date (also run nightly by Celery beat)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from registry.services import refresh_worker_tiers


class Command(BaseCommand):
    help = "按当天日期重新计算全部零工的帮扶等级（大龄、待工时间长随日期变化；可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按此日期计算，格式 YYYY-MM-DD；默认今天。")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD。") from None
        changed = refresh_worker_tiers(today)
        self.stdout.write(f"已按 {today:%Y-%m-%d} 更新 {changed} 名零工的帮扶等级。")
