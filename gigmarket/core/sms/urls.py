from django.urls import path

from . import views

app_name = "sms"

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("opt-out/", views.opt_out, name="opt_out"),
    path("<int:pk>/resend/", views.resend, name="resend"),
    path("inbound/<str:token>/", views.inbound, name="inbound"),
    path("demo/", views.demo, name="demo"),
]
