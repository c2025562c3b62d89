"""Fill a gettext catalogue's empty msgstr from a Python dict of translations (developer tool).

Usage: python scripts/fill_po.py CATALOGUE.po TRANSLATIONS.py [MORE.py …] — each .py defines
T = {msgid: msgstr} (later files win).
Reports the msgids still untranslated and exits 1 if any remain."""

from __future__ import annotations

import runpy
import sys

from babel.messages.pofile import read_po, write_po


def main(po_path: str, *translations_paths: str) -> int:
    table: dict[str, str] = {}
    for path in translations_paths:
        table.update(runpy.run_path(path)["T"])
    with open(po_path, "rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        # makemessages' fuzzy matches are guesses from a similar msgid, never translations:
        # a fresh one (flagged fuzzy) is dropped unless a table has the msgid; an older one
        # whose flag was lost (it keeps msgmerge's "#| msgid" line, which Babel reads as a
        # comment "| msgid") is replaced when a table has the msgid.
        previous = [c for c in message.user_comments if c.startswith("| msgid")]
        if "fuzzy" in message.flags or ((previous or message.previous_id) and key in table):
            message.string = table.get(key, "") if isinstance(message.id, str) else ("", "")
            message.previous_id = []
            message.user_comments = [c for c in message.user_comments if c not in previous]
        if key in table and not _translated(message.string):
            message.string = table[key]
        if not _translated(message.string):
            missing.append(key)
        message.flags.discard("fuzzy")
    catalog.fuzzy = False
    with open(po_path, "wb") as handle:
        write_po(handle, catalog, width=100)
    for key in missing:
        print("untranslated:", key)
    return 1 if missing else 0


def _translated(string: object) -> bool:
    """A msgstr, or every msgstr of a plural entry, is filled."""
    if isinstance(string, (tuple, list)):
        return all(string)
    return bool(string)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
