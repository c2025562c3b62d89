"""The tables Kamailio 5.6 itself uses, in its own schema (Debian's kamailio package,
/usr/share/kamailio/{db_sqlite,postgres}/standard-create.sql and usrloc-create.sql): `version`,
which its modules check, and usrloc's `location` and `location_attrs`, which the registrar
writes (db_mode write-through) and the portal reads for online state (R-V6)."""

from django.db import migrations

SQLITE = [
    "CREATE TABLE version (\n    id INTEGER PRIMARY KEY NOT NULL,\n    table_name VARCHAR(32) NOT NULL,\n    table_version INTEGER DEFAULT 0 NOT NULL,\n    CONSTRAINT version_table_name_idx UNIQUE (table_name)\n)",
    "INSERT INTO version (table_name, table_version) values ('version','1')",
    "CREATE TABLE location (\n    id INTEGER PRIMARY KEY NOT NULL,\n    ruid VARCHAR(64) DEFAULT '' NOT NULL,\n    username VARCHAR(64) DEFAULT '' NOT NULL,\n    domain VARCHAR(64) DEFAULT NULL,\n    contact VARCHAR(512) DEFAULT '' NOT NULL,\n    received VARCHAR(128) DEFAULT NULL,\n    path VARCHAR(512) DEFAULT NULL,\n    expires TIMESTAMP WITHOUT TIME ZONE DEFAULT '2030-05-28 21:32:15' NOT NULL,\n    q REAL DEFAULT 1.0 NOT NULL,\n    callid VARCHAR(255) DEFAULT 'Default-Call-ID' NOT NULL,\n    cseq INTEGER DEFAULT 1 NOT NULL,\n    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL,\n    flags INTEGER DEFAULT 0 NOT NULL,\n    cflags INTEGER DEFAULT 0 NOT NULL,\n    user_agent VARCHAR(255) DEFAULT '' NOT NULL,\n    socket VARCHAR(64) DEFAULT NULL,\n    methods INTEGER DEFAULT NULL,\n    instance VARCHAR(255) DEFAULT NULL,\n    reg_id INTEGER DEFAULT 0 NOT NULL,\n    server_id INTEGER DEFAULT 0 NOT NULL,\n    connection_id INTEGER DEFAULT 0 NOT NULL,\n    keepalive INTEGER DEFAULT 0 NOT NULL,\n    partition INTEGER DEFAULT 0 NOT NULL,\n    CONSTRAINT location_ruid_idx UNIQUE (ruid)\n)",
    "CREATE INDEX location_account_contact_idx ON location (username, domain, contact)",
    "CREATE INDEX location_expires_idx ON location (expires)",
    "CREATE INDEX location_tcpcon_idx ON location (connection_id)",
    "CREATE INDEX location_connection_idx ON location (server_id, connection_id)",
    "INSERT INTO version (table_name, table_version) values ('location','9')",
    "CREATE TABLE location_attrs (\n    id INTEGER PRIMARY KEY NOT NULL,\n    ruid VARCHAR(64) DEFAULT '' NOT NULL,\n    username VARCHAR(64) DEFAULT '' NOT NULL,\n    domain VARCHAR(64) DEFAULT NULL,\n    aname VARCHAR(64) DEFAULT '' NOT NULL,\n    atype INTEGER DEFAULT 0 NOT NULL,\n    avalue VARCHAR(512) DEFAULT '' NOT NULL,\n    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL\n)",
    "CREATE INDEX location_attrs_account_record_idx ON location_attrs (username, domain, ruid)",
    "CREATE INDEX location_attrs_last_modified_idx ON location_attrs (last_modified)",
    "INSERT INTO version (table_name, table_version) values ('location_attrs','1')",
]

POSTGRESQL = [
    "CREATE TABLE version (\n    id SERIAL PRIMARY KEY NOT NULL,\n    table_name VARCHAR(32) NOT NULL,\n    table_version INTEGER DEFAULT 0 NOT NULL,\n    CONSTRAINT version_table_name_idx UNIQUE (table_name)\n)",
    "INSERT INTO version (table_name, table_version) values ('version','1')",
    "CREATE TABLE location (\n    id SERIAL PRIMARY KEY NOT NULL,\n    ruid VARCHAR(64) DEFAULT '' NOT NULL,\n    username VARCHAR(64) DEFAULT '' NOT NULL,\n    domain VARCHAR(64) DEFAULT NULL,\n    contact VARCHAR(512) DEFAULT '' NOT NULL,\n    received VARCHAR(128) DEFAULT NULL,\n    path VARCHAR(512) DEFAULT NULL,\n    expires TIMESTAMP WITHOUT TIME ZONE DEFAULT '2030-05-28 21:32:15' NOT NULL,\n    q REAL DEFAULT 1.0 NOT NULL,\n    callid VARCHAR(255) DEFAULT 'Default-Call-ID' NOT NULL,\n    cseq INTEGER DEFAULT 1 NOT NULL,\n    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL,\n    flags INTEGER DEFAULT 0 NOT NULL,\n    cflags INTEGER DEFAULT 0 NOT NULL,\n    user_agent VARCHAR(255) DEFAULT '' NOT NULL,\n    socket VARCHAR(64) DEFAULT NULL,\n    methods INTEGER DEFAULT NULL,\n    instance VARCHAR(255) DEFAULT NULL,\n    reg_id INTEGER DEFAULT 0 NOT NULL,\n    server_id INTEGER DEFAULT 0 NOT NULL,\n    connection_id INTEGER DEFAULT 0 NOT NULL,\n    keepalive INTEGER DEFAULT 0 NOT NULL,\n    partition INTEGER DEFAULT 0 NOT NULL,\n    CONSTRAINT location_ruid_idx UNIQUE (ruid)\n)",
    "CREATE INDEX location_account_contact_idx ON location (username, domain, contact)",
    "CREATE INDEX location_expires_idx ON location (expires)",
    "CREATE INDEX location_tcpcon_idx ON location (connection_id)",
    "CREATE INDEX location_connection_idx ON location (server_id, connection_id)",
    "INSERT INTO version (table_name, table_version) values ('location','9')",
    "CREATE TABLE location_attrs (\n    id SERIAL PRIMARY KEY NOT NULL,\n    ruid VARCHAR(64) DEFAULT '' NOT NULL,\n    username VARCHAR(64) DEFAULT '' NOT NULL,\n    domain VARCHAR(64) DEFAULT NULL,\n    aname VARCHAR(64) DEFAULT '' NOT NULL,\n    atype INTEGER DEFAULT 0 NOT NULL,\n    avalue VARCHAR(512) DEFAULT '' NOT NULL,\n    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL\n)",
    "CREATE INDEX location_attrs_account_record_idx ON location_attrs (username, domain, ruid)",
    "CREATE INDEX location_attrs_last_modified_idx ON location_attrs (last_modified)",
    "INSERT INTO version (table_name, table_version) values ('location_attrs','1')",
]

DROP = [
    "DROP TABLE location_attrs",
    "DROP TABLE location",
    "DROP TABLE version",
]


def create_tables(apps, schema_editor):
    statements = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def drop_tables(apps, schema_editor):
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("communicator", "0001_initial")]

    operations = [migrations.RunPython(create_tables, drop_tables)]
