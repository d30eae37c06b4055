"""Home-page cards for the registry."""

from django.urls import reverse
from django.utils import timezone

from . import assistance, need_selectors, selectors
from .models import Tier


def dashboard_cards(user):
    today = timezone.localdate()
    workers = selectors.workers_for(user, today)
    visits_today = selectors.visits_for(user).filter(visit_date=today).count()
    open_postings = selectors.open_postings(selectors.postings_for(user), today).count()
    first_tier = workers.filter(priority_tier=Tier.FIRST).count()
    due_steps = assistance.steps_due_for_owner(user, today).count()
    return [
        {
            "title": "我的援助项目到期",
            "value": due_steps,
            "url": reverse("registry:assistance_list"),
            "note": "个性化就业援助：今日到期和逾期未完成的服务项目",
        },
        {
            "title": "待审核招工",
            "value": need_selectors.pending_count(user),
            "url": reverse("hire:queue"),
            "note": "用工方网上提交，待市场审核发布",
        },
        {
            "title": "今日窗口来访",
            "value": visits_today,
            "url": reverse("registry:desk"),
            "note": "四个服务窗口合计",
        },
        {
            "title": "在招用工需求",
            "value": open_postings,
            "url": reverse("registry:posting_list"),
            "note": "已上大屏和公众网站",
        },
        {
            "title": "登记零工",
            "value": workers.count(),
            "url": reverse("registry:worker_list"),
            "note": f"其中一级重点帮扶 {first_tier} 人",
        },
    ]
