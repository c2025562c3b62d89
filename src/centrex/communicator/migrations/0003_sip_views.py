"""What Kamailio reads from the portal's own tables (DESIGN "Communicator on Kamailio"): views,
so nothing is synchronised — a change is visible to the registrar the moment it commits.

- `communicator_sip_credential` (auth_db's table, R-V3): the credentials of active devices of
  active, Communicator-enabled users (R-U6) of active customers — digest username, domain
  (the realm), HA1/HA1B, and the extension the device may register and call as.
- `communicator_sip_extension` (R-V5): the extensions of active customers by domain, so the
  registrar answers 404 for a number that is not one of the caller's customer's.

The SQL is the same on SQLite and PostgreSQL (a boolean column alone is a condition on both)."""

from django.db import migrations

CREDENTIAL_VIEW = """
CREATE VIEW communicator_sip_credential AS
SELECT device.sip_username AS username,
       domain.name AS domain,
       device.ha1 AS ha1,
       device.ha1b AS ha1b,
       extension.number AS extension
FROM communicator_device AS device
JOIN accounts_user AS person ON person.id = device.user_id
JOIN customers_customer AS customer ON customer.id = person.customer_id
JOIN communicator_sipdomain AS domain ON domain.customer_id = customer.id
JOIN customers_extension AS extension
     ON extension.id = person.extension_id AND extension.customer_id = customer.id
WHERE device.revoked_at IS NULL
  AND person.is_active
  AND NOT person.is_operator
  AND customer.is_active
"""

EXTENSION_VIEW = """
CREATE VIEW communicator_sip_extension AS
SELECT domain.name AS domain, extension.number AS number
FROM customers_extension AS extension
JOIN customers_customer AS customer ON customer.id = extension.customer_id
JOIN communicator_sipdomain AS domain ON domain.customer_id = customer.id
WHERE customer.is_active
"""


class Migration(migrations.Migration):
    dependencies = [
        ("communicator", "0002_kamailio_tables"),
        ("accounts", "0001_initial"),
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(CREDENTIAL_VIEW, "DROP VIEW communicator_sip_credential"),
        migrations.RunSQL(EXTENSION_VIEW, "DROP VIEW communicator_sip_extension"),
        # The registrar's contact attributes are looked up by device (registrar.py).
        migrations.RunSQL(
            "CREATE INDEX location_attrs_device_idx ON location_attrs (aname, avalue)",
            "DROP INDEX location_attrs_device_idx",
        ),
    ]
