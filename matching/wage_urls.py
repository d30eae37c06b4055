"""URLs of the 欠薪 block and wage settlement (included by matching/urls.py, same namespace)."""

from django.urls import path

from . import wage_views

urlpatterns = [
    path("employers/<int:employer_pk>/arrears/", wage_views.arrears_detail, name="arrears_detail"),
    path("employers/<int:employer_pk>/arrears/override/", wage_views.arrears_override, name="arrears_override"),
    path("arrears-overrides/<int:pk>/revoke/", wage_views.arrears_revoke, name="arrears_revoke"),
    path("wages/", wage_views.wage_list, name="wage_list"),
    path("matches/<int:pk>/wage/", wage_views.wage_record, name="wage_record"),
    path("matches/<int:pk>/wage/confirm/", wage_views.wage_confirm, name="wage_confirm"),
]
