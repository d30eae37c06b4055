from django.core.management.base import BaseCommand

from reporting.management.now_option import add_now_argument, now_from
from reporting.services import reminders_send

EXAMPLE = "2023-03-29T09:00"


class Command(BaseCommand):
    help = "发送报送提醒、逾期通知和未报送汇总（每个县区、报送期、类型只发送一次）。"

    def add_arguments(self, parser):
        add_now_argument(parser, EXAMPLE)

    def handle(self, *args, **options):
        now = now_from(options, EXAMPLE)
        sent = reminders_send(now=now)
        if not sent:
            self.stdout.write("没有需要发送的提醒。")
        for kind, count in sorted(sent.items()):
            self.stdout.write(f"{kind}: {count}")
