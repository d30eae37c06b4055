from django.core.management.base import BaseCommand

from gigmarket.core.sms.services import sms_dispatch_due


class Command(BaseCommand):
    help = "发送短信发件箱中已到发送时间的短信（每条只发送一次；失败的按退避时间重试）。"

    def handle(self, *args, **options):
        done = sms_dispatch_due()
        if not done:
            self.stdout.write("没有需要发送的短信。")
        for state, count in sorted(done.items()):
            self.stdout.write(f"{state}: {count}")
