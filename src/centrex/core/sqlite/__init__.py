"""SQLite as the portal runs it: the send path's write transactions queue on a lock file
(`writers`)."""
