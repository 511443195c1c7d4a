from ..parsers import app_deleted_event
from . import WebhookDefinition

definition = WebhookDefinition("APP_DELETED", "subscriptions/app_deleted", app_deleted_event)
