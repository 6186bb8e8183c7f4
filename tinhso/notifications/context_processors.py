from .selectors import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"NOTIFICATIONS_UNREAD": lambda: unread_count(user)}
