"""/hire/: 我要招工 (public) and the clerk's review of online needs."""

from django.urls import path

from . import need_views

app_name = "hire"
urlpatterns = [
    path("", need_views.need_form, name="form"),
    path("mine/", need_views.need_mine, name="mine"),
    path("review/", need_views.need_queue, name="queue"),
    path("review/<int:pk>/", need_views.need_review, name="review"),
    path("review/<int:pk>/publish/", need_views.need_publish, name="publish"),
    path("review/<int:pk>/reject/", need_views.need_reject, name="reject"),
]
