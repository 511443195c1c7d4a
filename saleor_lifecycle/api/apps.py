from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "saleor_lifecycle.api"
    label = "lifecycle_api"
    verbose_name = "GraphQL API"
