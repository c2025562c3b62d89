"""Issue 11: `DispatcherLease` and `DispatcherStats` move here from `sms` without copying a row:
state only (the models keep their tables, `sms_dispatcherlease` and `sms_dispatcherstats`).
On a fresh database `sms.0001`/`0002` create the tables and this migration adopts them."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("sms", "0005_dispatcher_tables_to_smsc"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DispatcherLease",
                    fields=[
                        (
                            "slot",
                            models.CharField(
                                max_length=32,
                                primary_key=True,
                                serialize=False,
                                verbose_name="slot",
                            ),
                        ),
                        (
                            "dispatcher_id",
                            models.CharField(max_length=64, verbose_name="dispatcher"),
                        ),
                        ("heartbeat_at", models.DateTimeField(verbose_name="heartbeat")),
                        ("expires_at", models.DateTimeField(verbose_name="expires")),
                    ],
                    options={
                        "verbose_name": "dispatcher lease",
                        "verbose_name_plural": "dispatcher leases",
                        "db_table": "sms_dispatcherlease",
                    },
                ),
                migrations.CreateModel(
                    name="DispatcherStats",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "dispatcher_id",
                            models.CharField(max_length=64, verbose_name="dispatcher"),
                        ),
                        ("smsc", models.CharField(max_length=128, verbose_name="SMSC account")),
                        ("counters", models.JSONField(default=dict, verbose_name="counters")),
                        ("gauges", models.JSONField(default=dict, verbose_name="gauges")),
                        (
                            "started_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="started"
                            ),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="updated"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "dispatcher statistics",
                        "verbose_name_plural": "dispatcher statistics",
                        "db_table": "sms_dispatcherstats",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("dispatcher_id", "smsc"), name="sms_stats_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
