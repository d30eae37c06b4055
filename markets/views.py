from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from gigmarket.scoping import get_object_in_scope, scope_queryset

from .models import Market


@login_required
def market_list(request):
    qs = scope_queryset(Market.objects.select_related("county__parent"), request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "markets/market_list.html", {"page": page})


@login_required
def market_detail(request, pk):
    market = get_object_in_scope(Market.objects.select_related("county__parent"), request.user, pk=pk)
    return render(request, "markets/market_detail.html", {"market": market})
