from django.urls import path

from . import views

app_name = "markets"
urlpatterns = [
    path("", views.market_list, name="list"),
    path("new/", views.market_create, name="create"),
    path("export/", views.market_export, name="export"),
    path("import/", views.market_import, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("compliance/", views.compliance, name="compliance"),
    path("<int:pk>/", views.market_detail, name="detail"),
    path("<int:pk>/edit/", views.market_edit, name="edit"),
    path("<int:pk>/close/", views.market_close, name="close"),
    path("<int:pk>/qr.svg", views.market_qr, name="qr"),
    path("<int:pk>/versions/<int:number>/", views.market_version, name="version"),
    path("trades/", views.trade_list, name="trade_list"),
    path("trades/new/", views.trade_create, name="trade_create"),
    path("trades/<int:pk>/", views.trade_edit, name="trade_edit"),
    path("trades/<int:pk>/toggle/", views.trade_toggle, name="trade_toggle"),
    # Public 名录, no login.
    path("directory/", views.directory, name="directory"),
    path("directory/<int:pk>/", views.directory_detail, name="directory_detail"),
    path("directory/<int:pk>/qr.svg", views.directory_qr, name="directory_qr"),
]
