"""SMS: messages and their queue, sending, history, GSM-7/UCS-2 encoding."""
