"""Reading the CSV of Impostazioni > Utenti > «Importa da CSV» (issue 14): the file's limits,
its encoding and separator, its headers and role words, into the lines `actions.import_users`
checks with Nuovo Utente's rules (R-U3–U5). Nothing here decides whether a user may be made.

The file: UTF-8 with or without a BOM (Excel's «CSV UTF-8»), a comma or a semicolon between
columns (Excel in Italy writes semicolons), a header line naming the columns in Italian or in
English, at most `MAX_LINES` users and `MAX_BYTES`.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from centrex.accounts.actions import ImportedLine, UserData
from centrex.accounts.models import Role

MAX_BYTES = 1_000_000
MAX_LINES = 1000

# Every header a column may have, lower case (the first is the example file's).
HEADERS: dict[str, tuple[str, ...]] = {
    "email": ("e-mail", "email", "e_mail", "mail", "posta elettronica"),
    "first_name": ("nome", "first name", "first_name", "firstname"),
    "last_name": ("cognome", "last name", "last_name", "lastname", "surname"),
    "role": ("ruolo", "role"),
    "extension": ("interno", "extension", "ext"),
}
ROLE_WORDS: dict[str, str] = {
    "amministratore": Role.ADMIN,
    "administrator": Role.ADMIN,
    "admin": Role.ADMIN,
    "utente": Role.USER,
    "user": Role.USER,
    "": Role.USER,
}
# The downloadable example: with a BOM, so Excel reads it as UTF-8, and semicolons.
EXAMPLE_CSV = (
    "\ufeffe-mail;nome;cognome;ruolo;interno\r\n"
    "mario.rossi@esempio.it;Mario;Rossi;amministratore;201\r\n"
    "giulia.bianchi@esempio.it;Giulia;Bianchi;utente;202\r\n"
    "luca.verdi@esempio.it;Luca;Verdi;utente;\r\n"
)


class UserFileRefused(Exception):
    """The file as a whole cannot be read (too large, not UTF-8, no e-mail column…);
    `message` says what to do."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _text(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise UserFileRefused(
            _("The file is larger than %(size)s: split it into smaller files.") % {"size": "1 MB"}
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserFileRefused(
            _(
                "The file is not UTF-8 text. In Excel choose “Save as” > “CSV UTF-8 (comma "
                "delimited)”, then import it again."
            )
        ) from None


def _separator(header_line: str) -> str:
    """Excel in Italy writes semicolons, elsewhere commas: whichever the header has more of."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _columns(header: list[str]) -> dict[str, int]:
    """Which position each known column has; unknown columns are refused, so a typo in a
    header does not silently drop a column."""
    by_word = {word: name for name, words in HEADERS.items() for word in words}
    found: dict[str, int] = {}
    for position, cell in enumerate(header):
        word = " ".join(cell.strip().lower().split())
        if not word:
            continue
        name = by_word.get(word)
        if name is None or name in found:
            raise UserFileRefused(
                _(
                    "The first line must name the columns: email, first name, last name, role, "
                    "extension (or e-mail, nome, cognome, ruolo, interno). “%(header)s” is not "
                    "one of them or is there twice."
                )
                % {"header": cell.strip()}
            )
        found[name] = position
    if "email" not in found:
        raise UserFileRefused(
            _(
                "The first line must name the columns, with an “email” column at least: "
                "email, first name, last name, role, extension."
            )
        )
    return found


def read_users_csv(content: bytes, *, language: str) -> list[ImportedLine]:
    """The file's users, one per non-empty line after the header, numbered as a spreadsheet
    numbers its rows; each gets `language` (the importing admin's, as Nuovo Utente
    proposes)."""
    text = _text(content)
    rows = list(csv.reader(io.StringIO(text), delimiter=_separator(text.split("\n", 1)[0])))
    if not rows:
        raise UserFileRefused(_("The file is empty: add a header line and one line per user."))
    columns = _columns(rows[0])
    lines: list[ImportedLine] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(lines) == MAX_LINES:
            raise UserFileRefused(
                _("The file has more than %(count)d users: split it into smaller files.")
                % {"count": MAX_LINES}
            )
        lines.append(_line(number, row, columns, len(rows[0]), language))
    if not lines:
        raise UserFileRefused(_("The file has no users: add one line per user under the header."))
    return lines


def _line(
    number: int, row: list[str], columns: dict[str, int], width: int, language: str
) -> ImportedLine:
    def cell(name: str) -> str:
        position = columns.get(name)
        return row[position].strip() if position is not None and position < len(row) else ""

    problems: list[str] = []
    role_word = cell("role").lower()
    role = ROLE_WORDS.get(role_word)
    if role is None:
        problems.append(
            _("role: “%(word)s” is not a role; write “administrator” or “user”.")
            % {"word": cell("role")}
        )
    if any(extra.strip() for extra in row[width:]):
        problems.append(
            _("The line has more columns than the header: check the separators and the quotes.")
        )
    data = UserData(
        email=cell("email"),
        first_name=cell("first_name"),
        last_name=cell("last_name"),
        role=role or Role.USER,
        language=language,
        extension=cell("extension") or None,
    )
    return ImportedLine(number=number, data=data, problems=tuple(problems))
