from django.urls import include, path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/record/", views.visit_record, name="visit_record"),
    path("workers/", views.worker_list, name="worker_list"),
    path("workers/new/", views.worker_register, name="worker_register"),
    path("workers/export.csv", views.worker_export, name="worker_export"),
    path("workers/<int:pk>/", views.worker_detail, name="worker_detail"),
    path("workers/<int:pk>/edit/", views.worker_edit, name="worker_edit"),
    path("workers/<int:pk>/reveal/", views.worker_reveal, name="worker_reveal"),
    path("workers/<int:pk>/reveal-phones/", views.worker_reveal_phones, name="worker_reveal_phones"),
    path("workers/transfers/", views.transfer_list, name="transfer_list"),
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/<int:pk>/", views.employer_detail, name="employer_detail"),
    path("employers/<int:pk>/edit/", views.employer_edit, name="employer_edit"),
    path("employers/<int:pk>/reveal/", views.employer_reveal, name="employer_reveal"),
    path("employers/<int:employer_pk>/post/", views.posting_create, name="posting_create"),
    path("postings/", views.posting_list, name="posting_list"),
    path("postings/new/", views.posting_quick, name="posting_quick"),
    path("postings/<int:pk>/", views.posting_detail, name="posting_detail"),
    path("postings/<int:pk>/close/", views.posting_close, name="posting_close"),
    path("training/", views.training_list, name="training_list"),
    path("training/new/", views.training_create, name="training_create"),
    path("training/<int:pk>/", views.training_detail, name="training_detail"),
    path("training/<int:pk>/edit/", views.training_edit, name="training_edit"),
    path(
        "training/<int:pk>/signups/<int:signup_pk>/status/",
        views.training_signup_status,
        name="training_signup_status",
    ),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    # Public: the hall screen and the public site.
    path("board/<int:market_pk>/", views.board, name="board"),
    path("public/markets/<int:market_pk>/postings/", views.public_postings, name="public_postings"),
    path("public/policies/", views.public_policies, name="public_policies"),
    path("", include("registry.assistance_urls")),
]
