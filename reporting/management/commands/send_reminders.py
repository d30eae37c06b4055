import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reporting.services import reminders_send


class Command(BaseCommand):
    help = "发送报送提醒、逾期通知和未报送汇总（每个县区、报送期、类型只发送一次）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="按指定时间运行（ISO 格式，如 2023-03-29T09:00；不带时区按北京时间），默认为当前时间。",
        )

    def handle(self, *args, **options):
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError("--now 格式应为 2023-03-29T09:00") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        sent = reminders_send(now=now)
        if not sent:
            self.stdout.write("没有需要发送的提醒。")
        for kind, count in sorted(sent.items()):
            self.stdout.write(f"{kind}: {count}")
