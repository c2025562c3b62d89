"""SQLite as the portal runs it: write transactions queue on a lock file (see `base`)."""
