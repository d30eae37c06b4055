from django.core.management.base import BaseCommand

from reporting.digest import city_digests_send
from reporting.management.now_option import add_now_argument, now_from

EXAMPLE = "2026-06-08T07:30"


class Command(BaseCommand):
    help = "发送上一周的市州周报（每个市州每周只发送一次）。"

    def add_arguments(self, parser):
        add_now_argument(parser, EXAMPLE)

    def handle(self, *args, **options):
        now = now_from(options, EXAMPLE)
        sent = city_digests_send(now=now)
        self.stdout.write(f"已发送 {sent} 个市州的周报。" if sent else "没有需要发送的周报。")
