from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "tinhso.assistant"
    verbose_name = "Hỏi đáp thủ tục"
    default_auto_field = "django.db.models.BigAutoField"
