"""«Ultimo accesso» (issue 14): until now `User.last_login` counted only the page's sign-ins;
the activity trail has had every sign-in, the API's too (R-Z4). Take the newer of the two."""

from django.db import migrations
from django.db.models import Max


def last_login_from_trail(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    AuditEvent = apps.get_model("core", "AuditEvent")
    latest = (
        AuditEvent.objects.filter(action="user.signed_in", actor_id__isnull=False)
        .values("actor_id")
        .annotate(at=Max("created_at"))
    )
    for row in latest.iterator():
        User.objects.filter(pk=row["actor_id"]).exclude(last_login__gte=row["at"]).update(
            last_login=row["at"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_two_step_verification"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(last_login_from_trail, migrations.RunPython.noop)]
