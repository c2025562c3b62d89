"""Operations on SMS sender aliases: the only place that changes an alias (STYLE 2), one
module per topic — `lifecycle` (the customer admin's «aggiungi», «invia richiesta», cancel /
withdraw / delete), `decisions` (the operators' approve, retry, reject, revoke),
`registration` (the AGCOM registry and its retries, R-A9), `reminders` (R-A8, R-A10),
`word_lists` (R-A4b, and R-A1's character set), `checking` (the rules before a save, R-A1–A5)
and `transitions` (the steps every change shares).

Every change is one transaction that locks the alias row, moves it only along
`ALLOWED_TRANSITIONS` (R-A6), and appends an AliasEvent — who, when, from, to, reason, from which
address. E-mails and tasks leave only once the transaction commits.

R-A4 (one live alias per name within a customer, and one pending or validated alias per name
across customers) is checked under a lock on the name: on PostgreSQL a transaction-scoped
advisory lock on the name's hash, on SQLite the write lock every transaction takes at BEGIN
(`transaction_mode=IMMEDIATE`). It is checked when the alias is created, again when it is
submitted, and again when an operator approves it.
"""
