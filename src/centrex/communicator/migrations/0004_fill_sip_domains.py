"""R-V1: every existing customer gets its SIP domain, `<slug>.<CENTREX_SIP_DOMAIN>` (a number
appended when two slugs meet). New customers get theirs when created (communicator.identity)."""

import unicodedata

from django.conf import settings
from django.db import migrations
from django.utils.text import slugify


def fill_sip_domains(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    SipDomain = apps.get_model("communicator", "SipDomain")
    parent = settings.CENTREX_SIP_DOMAIN
    room = 64 - len(parent) - 1 - 4
    taken = set(SipDomain.objects.values_list("name", flat=True))
    for customer in Customer.objects.filter(sip_domain__isnull=True).order_by("pk"):
        ascii_name = unicodedata.normalize("NFKD", customer.name).encode("ascii", "ignore")
        slug = slugify(ascii_name.decode())[:room].strip("-") or f"customer-{customer.pk}"
        name, suffix = f"{slug}.{parent}", 2
        while name in taken:
            name, suffix = f"{slug}-{suffix}.{parent}", suffix + 1
        taken.add(name)
        SipDomain.objects.create(customer=customer, name=name)


class Migration(migrations.Migration):
    dependencies = [("communicator", "0003_sip_views")]

    operations = [migrations.RunPython(fill_sip_domains, migrations.RunPython.noop)]
