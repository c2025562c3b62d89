"""SMS: sender policy, verification codes, messages and their GSM-7/UCS-2 encoding."""
