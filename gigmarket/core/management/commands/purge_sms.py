from django.core.management.base import BaseCommand, CommandError

from gigmarket.core.sms.services import sms_purge


class Command(BaseCommand):
    help = "删除超过保存期限（SMS_RETENTION_DAYS 天）的短信发件箱记录和验证码。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="保存天数，默认为 SMS_RETENTION_DAYS。")

    def handle(self, *args, **options):
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days 须为 1 或以上")
        counts = sms_purge(days=days)
        self.stdout.write(f"已删除短信 {counts['messages']} 条、验证码 {counts['codes']} 条。")
