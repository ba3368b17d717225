from django.urls import path  # noqa: F401

app_name = "coding-api"
urlpatterns: list = []
