from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "tinhso.feedback"
    label = "feedback"
    verbose_name = "Phản ánh, kiến nghị"

    def ready(self):
        from . import notices

        notices.register_kinds()
