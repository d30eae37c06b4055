"""URLs of employment assistance in the registry (included by registry/urls.py, same namespace)."""

from django.urls import path

from . import assistance_views, insurance_views, recognition_views, subsidy_views

urlpatterns = [
    path("assistance/", assistance_views.assistance_list, name="assistance_list"),
    path("workers/<int:pk>/assistance/new/", assistance_views.assistance_create, name="assistance_create"),
    path("assistance/<int:pk>/", assistance_views.assistance_detail, name="assistance_detail"),
    path("assistance/<int:pk>/steps/", assistance_views.assistance_step_create, name="assistance_step_create"),
    path("assistance/<int:pk>/notes/", assistance_views.assistance_note_create, name="assistance_note_create"),
    path("assistance/<int:pk>/close/", assistance_views.assistance_close, name="assistance_close"),
    path("assistance/steps/<int:pk>/done/", assistance_views.assistance_step_done, name="assistance_step_done"),
    path("workers/<int:pk>/recognitions/", recognition_views.recognition_create, name="recognition_create"),
    path("recognitions/<int:pk>/end/", recognition_views.recognition_end, name="recognition_end"),
    path("workers/<int:pk>/insurance/new/", insurance_views.insurance_create, name="insurance_create"),
    path("subsidies/", subsidy_views.subsidy_list, name="subsidy_list"),
    path("subsidies/totals/", subsidy_views.subsidy_totals, name="subsidy_totals"),
    path("subsidies/export.xlsx", subsidy_views.subsidy_export, name="subsidy_export"),
    path("workers/<int:worker_pk>/subsidies/new/", subsidy_views.subsidy_create, name="subsidy_create"),
    path("subsidies/<int:pk>/", subsidy_views.subsidy_detail, name="subsidy_detail"),
    path("subsidies/<int:pk>/<str:action>/", subsidy_views.subsidy_action, name="subsidy_action"),
]
