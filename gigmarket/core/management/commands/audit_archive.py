"""Archive audit rows past the retention: export, verify, then delete (itself audited).

    manage.py audit_archive --before 2026-05-01 --out /srv/gigmarket/audit-archive [--by admin]

Refuses a date younger than AUDIT_RETENTION_DAYS (at least 183). Keep the .jsonl.gz and
its .sha256 with the backups; `sha256sum -c FILE.sha256` checks a copy later.
"""

import datetime
import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from gigmarket.core.audit_archive import ArchiveError
from gigmarket.core.models import User
from gigmarket.core.services import audit_archive


def iso_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD，收到 {value!r}") from exc


class Command(BaseCommand):
    help = "归档并删除保留期已满的审计日志：先导出（gzip JSON 行 + SHA-256 校验文件）并核对，再删除。"

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, type=iso_date, help="归档此日期（本地时间零点）之前的记录")
        parser.add_argument("--out", required=True, help="导出文件所在目录")
        parser.add_argument("--by", default="", help="执行归档的平台账号（记入审计日志）")

    def handle(self, *args, before, out, by, **options):
        actor = None
        if by:
            actor = User.objects.filter(username=by).first()
            if actor is None:
                raise CommandError(f"账号 {by} 不存在")
        try:
            summary, path = audit_archive(before=before, out_dir=out, by=actor, operator=getpass.getuser())
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except (ArchiveError, DatabaseError, OSError) as exc:
            raise CommandError(f"归档失败，未删除任何记录：{exc}") from exc
        if summary.count == 0:
            self.stdout.write(f"{before:%Y-%m-%d} 之前没有审计记录，无需归档。")
            return
        self.stdout.write(
            f"已归档并删除 {summary.count} 条审计记录（{summary.first_at} 至 {summary.last_at}）：{path}\n"
            f"校验文件：{path.name}.sha256"
        )
