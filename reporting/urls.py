from django.urls import path

from . import map_views, review_views, views

app_name = "reporting"
urlpatterns = [
    path("", views.period_list, name="period_list"),
    path("periods/history/", views.completeness_history, name="completeness_history"),
    path("periods/<int:pk>/", views.period_detail, name="period_detail"),
    path("periods/<int:pk>/review/", views.period_review, name="period_review"),
    path("periods/<int:pk>/submit/", views.period_submit, name="period_submit"),
    path("submissions/", views.submission_list, name="submission_list"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/<str:action>/", views.submission_action, name="submission_action"),
    path("export/", views.export_attachment1, name="export"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_edit, name="rule_create"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_mark_read, name="notifications_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("monitoring/", views.monitoring_dashboard, name="monitoring"),
    path("monitoring/export/", views.monitoring_export, name="monitoring_export"),
    path("open/markets.csv", views.open_data_csv, name="open_csv"),
    path("open/markets.json", views.open_data_json, name="open_json"),
    path("periods/<int:pk>/approvals/", review_views.approval_list, name="approvals"),
    path("periods/<int:pk>/approvals/<str:city>/<str:action>/", review_views.approval_action, name="approval_action"),
    path("registry-as-of/", review_views.registry_as_of, name="registry_as_of"),
    path("map/", map_views.guizhou_map, name="map"),
    path("periods/<int:pk>/bulletin/", map_views.bulletin, name="bulletin"),
    path("periods/<int:pk>/bulletin.xlsx", map_views.bulletin_export, name="bulletin_export"),
    path("periods/<int:pk>/reality/", map_views.reality, name="reality"),
]
