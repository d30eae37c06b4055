"""/m/: 扫码登记 at a market (public) and its completion at the counter (staff)."""

from django.urls import path

from . import public_views as views

app_name = "prereg"
urlpatterns = [
    path("<int:market_pk>/", views.preregister, name="register"),
    path("my/<int:pk>/withdraw/", views.prereg_withdraw, name="withdraw"),
    path("desk/<int:pk>/", views.prereg_complete, name="complete"),
]
