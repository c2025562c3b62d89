"""`centrex alias_reminders`: e-mail the operators about alias requests within one business
hour of their due time, or past it, once each (R-A8, R-A10). The reminders are also scheduled
one by one when requests are made; run this periodically (cron, a systemd timer) as a safety
net, for instance every 10 minutes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from centrex.aliases.actions.reminders import send_overdue_reminders


class Command(BaseCommand):
    help = "Remind the operators of alias requests about to become overdue (once each)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = send_overdue_reminders()
        self.stdout.write(f"alias reminders sent: {count}")
