"""/jobs/: 今日零工岗位, 我要报名, 我的报名 (public), and the counter's online queue (staff)."""

from django.urls import path

from . import public_views as views

app_name = "jobs"
urlpatterns = [
    path("", views.job_search, name="search"),
    path("large-type/", views.large_type, name="large_type"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("my/", views.my, name="my"),
    path("my/logout/", views.my_logout, name="my_logout"),
    path("my/applications/<int:pk>/withdraw/", views.my_withdraw, name="my_withdraw"),
    # The counter (login required).
    path("desk/", views.queue, name="queue"),
    path("desk/applications/<int:pk>/accept/", views.application_accept, name="application_accept"),
    path("desk/applications/<int:pk>/close/", views.application_close, name="application_close"),
]
