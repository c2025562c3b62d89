"""Issue 11: `SenderPolicy` moves here from `sms` without copying a row: state only (the model
keeps its table, `sms_senderpolicy`, and the foreign keys to it and from it stay). On a fresh
database `sms.0002` creates the table and this migration adopts it."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("aliases", "0001_initial"),
        ("customers", "0001_initial"),
        ("sms", "0006_policy_and_codes_to_their_apps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SenderPolicy",
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
                            "mode",
                            models.CharField(
                                choices=[
                                    ("own_mobile", "each user uses their own mobile number"),
                                    ("shared_mobile", "a single mobile number for all users"),
                                    ("shared_alias", "a single alias for all users"),
                                    ("user_choice", "chosen by each user"),
                                ],
                                default="own_mobile",
                                max_length=16,
                                verbose_name="mode",
                            ),
                        ),
                        (
                            "shared_mobile_number",
                            models.CharField(
                                blank=True, max_length=16, verbose_name="shared mobile number"
                            ),
                        ),
                        (
                            "shared_mobile_verified_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="shared mobile number verified"
                            ),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="updated"
                            ),
                        ),
                        (
                            "customer",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="sms_sender_policy",
                                to="customers.customer",
                                verbose_name="customer",
                            ),
                        ),
                        (
                            "shared_alias",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="aliases.senderalias",
                                verbose_name="shared alias",
                            ),
                        ),
                        (
                            "updated_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="updated by",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sms_senderpolicy",
                        "verbose_name": "SMS sender policy",
                        "verbose_name_plural": "SMS sender policies",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
