"""Issue 11: the dispatcher's lease and statistics belong to the transport (`smsc`). Only the
migration state moves; the tables stay as they are (`smsc.0001` adopts them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sms", "0004_queue_references_without_constraints"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="DispatcherLease"),
                migrations.DeleteModel(name="DispatcherStats"),
            ],
            database_operations=[],
        ),
    ]
