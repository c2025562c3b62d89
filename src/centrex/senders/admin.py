"""Nothing of this app is in the Django admin, on purpose: the sender policy is the customer's
own choice (R-S1, "chosen by an admin" of the customer), changed only through `actions` from
Communicator > Mittenti SMS or `/api/v1/sms/policy`."""
