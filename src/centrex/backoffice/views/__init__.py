"""The operators' back office pages (R-B1), one module per topic: `dashboard`, `customers`,
`extensions`, `users` (of a customer), `aliases` (the queue, the review and the decisions),
`wordlists` (R-A4b, R-A1), `audit` (the Registro attività and the alias audit trail, with their
CSV exports) and `support` (the customers' questions); `pages` holds the list pieces they
share. Every page is guarded by `core.pages.page_for(require_operator)`. Thin views: parse the
form, fetch through `visible_to` or an access helper, call one action, render (STYLE 3, 4)."""
