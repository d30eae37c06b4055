from django.urls import include, path

from . import insurance_views, placement_views, rights_views, views

app_name = "matching"
urlpatterns = [
    path("", views.board, name="board"),
    path("overview/", views.overview, name="overview"),
    path("postings/<int:pk>/candidates/", views.posting_candidates, name="posting_candidates"),
    path("workers/<int:pk>/postings/", views.worker_postings, name="worker_postings"),
    path("matches/", views.match_list, name="match_list"),
    path("matches/new/", views.match_create, name="match_create"),
    path("matches/<int:pk>/", views.match_detail, name="match_detail"),
    path("matches/<int:pk>/transition/", views.match_transition, name="match_transition"),
    path("matches/<int:pk>/terms/", views.match_terms, name="match_terms"),
    path("matches/<int:pk>/insurance/", insurance_views.match_insurance, name="match_insurance"),
    path("matches/<int:pk>/agreement/", views.match_agreement, name="match_agreement"),
    path("cases/", rights_views.case_list, name="case_list"),
    path("cases/new/", rights_views.case_create, name="case_create"),
    path("cases/<int:pk>/", rights_views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", rights_views.case_edit, name="case_edit"),
    path("cases/<int:pk>/transition/", rights_views.case_transition, name="case_transition"),
    path("cases/<int:pk>/notes/", rights_views.case_note, name="case_note"),
    path("placements/", placement_views.placement_list, name="placement_list"),
    path("placements/new/", placement_views.placement_create, name="placement_create"),
    path("placements/<int:pk>/", placement_views.placement_detail, name="placement_detail"),
    path("placements/<int:pk>/edit/", placement_views.placement_edit, name="placement_edit"),
    path("placements/<int:pk>/follow-up/", placement_views.placement_follow_up, name="placement_follow_up"),
    path("", include("matching.wage_urls")),
]
