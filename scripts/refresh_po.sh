#!/bin/sh
# Refresh one app's Italian catalogue from its sources and fill it from translation tables.
# Usage: scripts/refresh_po.sh APP TABLE.py [TABLE.py …]   (APP: sms, accounts, backoffice, …)
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
app=$1; shift
cd "$root/src/centrex/$app"
mkdir -p locale
"$root/.venv/bin/django-admin" makemessages -l it --no-obsolete --no-wrap >/dev/null
cd "$root"
.venv/bin/python scripts/fill_po.py "src/centrex/$app/locale/it/LC_MESSAGES/django.po" "$@" || true
.venv/bin/pybabel compile -i "src/centrex/$app/locale/it/LC_MESSAGES/django.po" -o "src/centrex/$app/locale/it/LC_MESSAGES/django.mo" 2>&1 | tail -n 1
