from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clinicdesk.accounts"
    label = "accounts"
