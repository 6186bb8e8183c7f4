"""What the one-stop shop announces to whoever measures it (it never calls them itself)."""

from django.dispatch import Signal

# Sent after a bulk import of history committed rows without saving models one by one (no post_save signals);
# kwargs: rows (int), created (int), updated (int).
history_imported = Signal()
