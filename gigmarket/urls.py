from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gigmarket.core import export_job_views, twofactor_views, views
from gigmarket.core.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("csp-report", views.csp_report, name="csp_report"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.password_change, name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
        name="password_change_done",
    ),
    path("accounts/two-factor/", twofactor_views.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", twofactor_views.two_factor_verify, name="two_factor_verify"),
    path(
        "accounts/two-factor/recovery-codes/",
        twofactor_views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path(
        "accounts/two-factor/recovery-codes/download/",
        twofactor_views.two_factor_recovery_download,
        name="two_factor_recovery_download",
    ),
    path(
        "accounts/two-factor/recovery-codes/new/",
        twofactor_views.two_factor_recovery_regenerate,
        name="two_factor_recovery_regenerate",
    ),
    path("users/", views.user_list, name="user_list"),
    path("users/two-factor-policy/", twofactor_views.county_two_factor_policy, name="county_two_factor_policy"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("users/<int:pk>/toggle-active/", views.user_toggle_active, name="user_toggle_active"),
    path("users/<int:pk>/two-factor-reset/", twofactor_views.user_two_factor_reset, name="user_two_factor_reset"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("exports/", export_job_views.export_job_list, name="export_job_list"),
    path("exports/<int:pk>/download/", export_job_views.export_job_download, name="export_job_download"),
    path("divisions/", views.division_list, name="division_list"),
    path("divisions/<int:pk>/toggle-active/", views.division_toggle_active, name="division_toggle_active"),
    path("markets/", include("markets.urls")),
    path("registry/", include("registry.urls")),
    path("hire/", include("registry.need_urls")),
    path("matching/", include("matching.urls")),
    path("reporting/", include("reporting.urls")),
    path("sms/", include("gigmarket.core.sms.urls")),
    # The people's side (issue 15): workers' public pages and the counter's online queue.
    path("jobs/", include("matching.public_urls")),
    path("m/", include("registry.public_urls")),
    path("admin/", admin.site.urls),
]
