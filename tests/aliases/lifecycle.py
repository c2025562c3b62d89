"""An alias brought to any status of R-A6 the way people would, through the actions: for the
alias tests of tests/aliases and of the back office."""

from __future__ import annotations

from centrex.accounts.models import User
from centrex.aliases.actions.decisions import approve_alias, reject_alias, revoke_alias
from centrex.aliases.actions.lifecycle import create_alias, delete_alias, submit_alias
from centrex.aliases.models import AliasStatus, SenderAlias

# The address the admins' requests come from in the tests (R-A7 records it).
CLIENT_IP = "192.0.2.10"


def alias_in(status: str, text: str, admin: User, operator: User) -> SenderAlias:
    """An alias of the admin's customer brought to `status` the way people would, through
    the actions (R-A6)."""
    assert admin.customer is not None
    alias = create_alias(admin.customer, text, acting_user=admin)
    if status == AliasStatus.DRAFT:
        return alias
    alias = submit_alias(
        alias, consent=True, acting_user=admin, ip_address=CLIENT_IP, language="it"
    )
    if status == AliasStatus.PENDING:
        return alias
    if status == AliasStatus.REJECTED:
        return reject_alias(alias, "Non riconducibile all'azienda.", acting_user=operator)
    alias = approve_alias(alias, acting_user=operator)
    assert alias.status == AliasStatus.VALIDATED, alias.registry_error
    if status == AliasStatus.VALIDATED:
        return alias
    if status == AliasStatus.REVOKED:
        return revoke_alias(alias, "Uso improprio segnalato.", acting_user=operator)
    assert status == AliasStatus.WITHDRAWN
    withdrawn = delete_alias(alias, acting_user=admin)
    assert withdrawn is not None
    return withdrawn
