from django.core.management.base import BaseCommand

from reporting.services import periods_generate


class Command(BaseCommand):
    help = "按报送规则生成报送期（可重复运行）。"

    def handle(self, *args, **options):
        created = periods_generate()
        self.stdout.write(f"新生成报送期 {created} 个。")
