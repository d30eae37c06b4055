"""Delete unconverted online applications and pre-registrations (beat runs
`matching.tasks.purge_public_submissions` daily at 02:40)."""

from django.core.management.base import BaseCommand

from matching.services import public_submissions_purge


class Command(BaseCommand):
    help = "删除超过保存期限、未转为对接或正式登记的线上报名和扫码预登记（可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="保存天数，默认取 PUBLIC_SUBMISSION_RETENTION_DAYS。"
        )

    def handle(self, *args, days=None, **options):
        if days is not None and days < 0:
            self.stderr.write("保存天数不能为负数。")
            return
        counts = public_submissions_purge(days=days)
        self.stdout.write(f"已删除线上报名 {counts['applications']} 条、扫码预登记 {counts['preregistrations']} 条。")
