"""What the one-stop shop announces to whoever measures it (it never calls them itself)."""

from django.dispatch import Signal

# Sent after a bulk import of history committed rows without saving models one by one (no post_save signals);
# kwargs: rows (int), created (int), updated (int).
history_imported = Signal()

# Sent inside the transaction that changed the dossier rollup (dossiers.DossierStatDay) through a save, a delete or
# an ORM bulk write; kwargs: deltas ({(agency_id, local day): {rollup field: change}}, without zeros). Raw-SQL bulk
# writes (the history import) send `history_imported` instead.
rollup_changed = Signal()
