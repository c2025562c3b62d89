"""Seed the editable word lists of R-A4b from `centrex.aliases.wordlists`.

A copy of the lists is taken at migration time on purpose: later edits of wordlists.py do not
rewrite what operators have changed since. Reversing removes exactly the seeded entries that
are still there, and leaves the operators' own additions alone.
"""

from django.db import migrations

from centrex.aliases.wordlists import GENERIC_WORDS, RESERVED_NAMES


def seed(apps, schema_editor):
    ReservedName = apps.get_model("aliases", "ReservedName")
    GenericWord = apps.get_model("aliases", "GenericWord")
    existing_names = set(ReservedName.objects.values_list("name", flat=True))
    ReservedName.objects.bulk_create(
        ReservedName(name=name)
        for name in dict.fromkeys(RESERVED_NAMES)
        if name not in existing_names
    )
    existing_words = set(GenericWord.objects.values_list("word", flat=True))
    GenericWord.objects.bulk_create(
        GenericWord(word=word)
        for word in dict.fromkeys(GENERIC_WORDS)
        if word not in existing_words
    )


def unseed(apps, schema_editor):
    apps.get_model("aliases", "ReservedName").objects.filter(name__in=RESERVED_NAMES).delete()
    apps.get_model("aliases", "GenericWord").objects.filter(word__in=GENERIC_WORDS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("aliases", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
