"""Re-encrypt personal data and recompute lookup hashes under the writing key.

Run after putting a new key first in PII_KEYS (or changing PII_CIPHER); run it again
until it reports 0 left before removing the old key. See docs/security.md.
"""

from django.core.management.base import BaseCommand, CommandError

from gigmarket.core import pii
from gigmarket.core.rekey import rekey


class Command(BaseCommand):
    help = (
        "用当前写入密钥和算法重新加密全部个人信息字段并重算查询摘要（分批、可中断后续跑、写审计日志）。"
        "已在当前密钥下的行跳过。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="每批处理的行数（默认 500）。")
        parser.add_argument("--dry-run", action="store_true", help="只解密核对并统计，不写入。")
        parser.add_argument("--max-batches", type=int, help="处理这么多批后停止（分时段执行；再次运行从停下处继续）。")
        parser.add_argument(
            "--all",
            action="store_true",
            dest="all_rows",
            help="也检查密文已是当前密钥的行，重算不一致的摘要（只改了 PII_HASH 时使用）。",
        )

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size 至少为 1。")
        if options["max_batches"] is not None and options["max_batches"] < 1:
            raise CommandError("--max-batches 至少为 1。")
        ring = pii.keyring()
        verb = "可重新加密" if options["dry_run"] else "已重新加密"
        self.stdout.write(
            f"写入密钥 {ring.writing}，算法 {ring.cipher}/{ring.hash}；可读密钥：{', '.join(ring.keys)}"
            + ("（试运行，不写入）" if options["dry_run"] else "")
        )

        def progress(counts):
            self.stdout.write(
                f"{counts.label}：{verb} {counts.rekeyed} / {counts.pending} 行"
                + (f"，无法解密 {counts.failed} 行" if counts.failed else "")
            )

        result = rekey(
            batch_size=options["batch_size"],
            dry_run=options["dry_run"],
            all_rows=options["all_rows"],
            max_batches=options["max_batches"],
            progress=progress,
        )
        for counts in result.models:
            self.stdout.write(
                f"{counts.label}：共 {counts.total} 行，开始时待处理 {counts.pending} 行，{verb} {counts.rekeyed} 行，"
                f"无法解密 {counts.failed} 行"
            )
        self.stdout.write(
            f"合计{verb} {result.total('rekeyed')} 行，{result.batches} 批"
            + ("；未处理完，再次运行即从停下处继续。" if result.interrupted else "。")
        )
        if result.total("failed"):
            failed = "; ".join(f"{c.label} pk={c.failed_pks[:20]}" for c in result.models if c.failed_pks)
            raise CommandError(f"{result.total('failed')} 行无法用可读密钥解密（未改动）：{failed}")
