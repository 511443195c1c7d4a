import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_lifecycle.config.settings")

app = Celery("saleor_lifecycle")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
