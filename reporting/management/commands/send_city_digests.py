import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reporting.digest import city_digests_send


class Command(BaseCommand):
    help = "发送上一周的市州周报（每个市州每周只发送一次）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="按指定时间运行（ISO 格式，如 2026-06-08T07:30；不带时区按北京时间），默认为当前时间。",
        )

    def handle(self, *args, **options):
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError("--now 格式应为 2026-06-08T07:30") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        sent = city_digests_send(now=now)
        self.stdout.write(f"已发送 {sent} 个市州的周报。" if sent else "没有需要发送的周报。")
