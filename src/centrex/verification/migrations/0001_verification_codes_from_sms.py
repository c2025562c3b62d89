"""Issue 11: `VerificationCode` moves here from `sms` without copying a row: state only (the
model keeps its table, `sms_verificationcode`, its indexes and foreign keys). On a fresh
database `sms.0002` creates the table and this migration adopts it. The reference to the SMS
that carried a code stays a foreign key to `sms.SmsRequest`."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("customers", "0001_initial"),
        ("sms", "0006_policy_and_codes_to_their_apps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="VerificationCode",
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
                            "purpose",
                            models.CharField(
                                choices=[
                                    ("own_mobile", "own mobile number"),
                                    ("shared_mobile", "shared mobile number"),
                                ],
                                max_length=16,
                                verbose_name="purpose",
                            ),
                        ),
                        ("number", models.CharField(max_length=16, verbose_name="mobile number")),
                        ("code_hash", models.CharField(max_length=128, verbose_name="code hash")),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="created"
                            ),
                        ),
                        ("expires_at", models.DateTimeField(verbose_name="expires")),
                        (
                            "failed_attempts",
                            models.PositiveSmallIntegerField(
                                default=0, verbose_name="wrong attempts"
                            ),
                        ),
                        (
                            "used_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="used"),
                        ),
                        (
                            "superseded",
                            models.BooleanField(default=False, verbose_name="superseded"),
                        ),
                        (
                            "customer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="customers.customer",
                                verbose_name="customer",
                            ),
                        ),
                        (
                            "sms_request",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="sms.smsrequest",
                                verbose_name="SMS",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="user",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sms_verificationcode",
                        "verbose_name": "verification code",
                        "verbose_name_plural": "verification codes",
                        "indexes": [
                            models.Index(
                                fields=["number", "created_at"], name="sms_code_by_number"
                            ),
                            models.Index(
                                fields=["user", "purpose", "created_at"], name="sms_code_by_user"
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
