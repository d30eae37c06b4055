"""Fill a freshly migrated database with seeded provincial-scale data (see docs/performance.md)."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from bench.generate import SCALES, generate


class Command(BaseCommand):
    help = "生成压测数据（全省规模）：零工市场、零工、用工主体、岗位、对接、来访、维权、报送与监测汇总。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small", help="数据规模，默认 small。")
        parser.add_argument("--seed", type=int, default=1, help="随机种子，同一种子生成相同数据。")
        parser.add_argument("--fraction", type=float, help="按比例缩小（markets 与 days 不变），如 0.25。")
        parser.add_argument("--today", help="数据截止日期（YYYY-MM-DD），默认今天。")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today 格式应为 YYYY-MM-DD") from exc
        fraction = options["fraction"]
        if fraction is not None and not 0 < fraction <= 1:
            raise CommandError("--fraction 应在 0 与 1 之间")
        try:
            result = generate(
                scale=options["scale"], seed=options["seed"], fraction=fraction, today=today, log=self.stdout.write
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
