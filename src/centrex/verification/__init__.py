"""Verification codes and the users' own mobile numbers (R-M*)."""
