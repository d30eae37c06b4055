from django.urls import path

from . import rectification_views, views

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
    path("<int:pk>/rectifications/new/", rectification_views.rectification_create, name="rectification_create"),
    path("rectifications/", rectification_views.rectification_list, name="rectification_list"),
    path("rectifications/<int:pk>/", rectification_views.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/edit/", rectification_views.rectification_update, name="rectification_update"),
    path("rectifications/<int:pk>/photos/", rectification_views.rectification_add_evidence, name="photo_add"),
    path("rectifications/<int:pk>/close/", rectification_views.rectification_close, name="rectification_close"),
    path("rectifications/photos/<int:pk>/", rectification_views.rectification_photo, name="rectification_photo"),
    path("trades/", views.trade_list, name="trade_list"),
    path("trades/new/", views.trade_create, name="trade_create"),
    path("trades/<int:pk>/", views.trade_edit, name="trade_edit"),
    path("trades/<int:pk>/toggle/", views.trade_toggle, name="trade_toggle"),
    # Public 名录, no login.
    path("directory/", views.directory, name="directory"),
    path("directory/<int:pk>/", views.directory_detail, name="directory_detail"),
    path("directory/<int:pk>/qr.svg", views.directory_qr, name="directory_qr"),
]
