"""URLs of employment assistance in the registry (included by registry/urls.py, same namespace)."""

from django.urls import path

from . import recognition_views

urlpatterns = [
    path("workers/<int:pk>/recognitions/", recognition_views.recognition_create, name="recognition_create"),
    path("recognitions/<int:pk>/end/", recognition_views.recognition_end, name="recognition_end"),
]
