from django.apps import AppConfig


class CareleaversConfig(AppConfig):
    name = "careleavers"
    verbose_name = "Care leavers"
