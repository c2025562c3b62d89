"""Issue 11: the sender policy moves to `senders`, verification codes to `verification`. Only the
migration state moves; the tables stay as they are (`senders.0001`, `verification.0001` adopt
them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sms", "0005_dispatcher_tables_to_smsc"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SenderPolicy"),
                migrations.DeleteModel(name="VerificationCode"),
            ],
            database_operations=[],
        ),
    ]
