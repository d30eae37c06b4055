"""Open 欠薪 cases for wages unpaid past the deadline (beat runs `matching.tasks.open_wage_cases` daily)."""

from django.core.management.base import BaseCommand

from matching.settlement import payment_days, wage_arrears_sweep


class Command(BaseCommand):
    help = "为完工后逾期未足额支付工资的对接记录登记欠薪案件（可重复运行，每条对接只立案一次）。"

    def handle(self, *args, **options):
        cases = wage_arrears_sweep()
        self.stdout.write(f"完工超过{payment_days()}日未足额支付工资：新登记欠薪案件 {len(cases)} 件。")
