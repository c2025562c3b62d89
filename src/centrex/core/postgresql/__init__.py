"""PostgreSQL as the portal runs it: connections checked after a pause, not before every
request (see `base`)."""
