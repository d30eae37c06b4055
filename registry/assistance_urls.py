"""URLs of employment assistance in the registry (included by registry/urls.py, same namespace)."""

from django.urls import path

from . import recognition_views, subsidy_views

urlpatterns = [
    path("workers/<int:pk>/recognitions/", recognition_views.recognition_create, name="recognition_create"),
    path("recognitions/<int:pk>/end/", recognition_views.recognition_end, name="recognition_end"),
    path("subsidies/", subsidy_views.subsidy_list, name="subsidy_list"),
    path("subsidies/totals/", subsidy_views.subsidy_totals, name="subsidy_totals"),
    path("subsidies/export.xlsx", subsidy_views.subsidy_export, name="subsidy_export"),
    path("workers/<int:worker_pk>/subsidies/new/", subsidy_views.subsidy_create, name="subsidy_create"),
    path("subsidies/<int:pk>/", subsidy_views.subsidy_detail, name="subsidy_detail"),
    path("subsidies/<int:pk>/<str:action>/", subsidy_views.subsidy_action, name="subsidy_action"),
]
