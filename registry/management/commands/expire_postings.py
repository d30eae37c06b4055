"""Mark open postings past their validity as expired (beat runs `registry.tasks.expire_postings` daily at 00:05)."""

from django.core.management.base import BaseCommand

from registry.services import posting_expire_due


class Command(BaseCommand):
    help = "将已过有效期的用工需求标记为“已过期”（可重复运行）。"

    def handle(self, *args, **options):
        count = posting_expire_due()
        self.stdout.write(f"已将 {count} 条过期用工需求标记为“已过期”。")
