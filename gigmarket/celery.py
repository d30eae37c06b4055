"""Celery application. Tasks stay thin: they look rows up and call services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigmarket.settings")

app = Celery("gigmarket")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
