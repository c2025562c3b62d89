"""R-T5: a receipt waiting for its part is stored once (the SMSC sends it again after a
reconnect). Receipts stored twice before are merged first: the oldest of each stays."""

from typing import Any

from django.db import migrations, models


def merge_waiting_duplicates(apps: Any, schema_editor: Any) -> None:
    receipt = apps.get_model("sms", "SmsReceipt")
    kept: set[tuple[str, str]] = set()
    duplicates: list[int] = []
    waiting = receipt.objects.filter(matched=False).order_by("id")
    for pk, id_key, state in waiting.values_list("id", "id_key", "state").iterator():
        if (id_key, state) in kept:
            duplicates.append(pk)
        else:
            kept.add((id_key, state))
    for start in range(0, len(duplicates), 1000):
        receipt.objects.filter(id__in=duplicates[start : start + 1000]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sms", "0007_usage_days"),
    ]

    operations = [
        migrations.RunPython(merge_waiting_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="smsreceipt",
            constraint=models.UniqueConstraint(
                condition=models.Q(("matched", False)),
                fields=("id_key", "state"),
                name="sms_receipt_unique_waiting",
            ),
        ),
    ]
