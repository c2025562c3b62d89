"""Nothing of this app is in the Django admin, on purpose: a verification code is a secret
(only its hash is kept) and is issued and checked only by `codes` (R-M2); a user's mobile
number is shown and changed with the user (`accounts`) and in Opzioni Account."""
