"""Reset an account's two-factor login from the server (superusers, or no manager at hand)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gigmarket.core import services
from gigmarket.core.models import User


class Command(BaseCommand):
    help = "重置账号的两步验证（删除验证器和恢复码），须填写原因，记入审计日志。用户下次登录时重新绑定。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="登录账号")
        parser.add_argument("--reason", required=True, help="重置原因，如：手机丢失")

    def handle(self, *args, username, reason, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号 {username} 不存在。")
        try:
            services.two_factor_reset(user=user, reason=reason, by=None, via="manage.py two_factor_reset")
        except ValidationError as exc:
            raise CommandError("请用 --reason 填写重置原因。") from exc
        self.stdout.write(f"已重置账号 {username} 的两步验证。")
