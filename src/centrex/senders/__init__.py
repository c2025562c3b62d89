"""SMS senders: the sender policy and sender resolution (R-S*)."""
