"""Translations of the kiosk's own words: Simplified Chinese is the source, English the other.

Decision: the Chinese text itself is the message key (as gettext does), and the English catalogue
is a set of JSON files, `kiosk/locale/en/*.json` (one per part of the screens, merged), each
mapping Chinese messages to their English. JSON rather
than gettext .po/.mo because the venue's staff and our translators edit one readable file, nothing
needs compiling, and a test (`tests/kiosk/test_i18n.py`) checks that every message the screens ask
for has an English entry, so a missing translation fails CI rather than showing Chinese in the
English mode. Messages with values use `str.format` fields: `"共 {n} 条"` → `"{n} items"`.

Catalogue text (titles, bodies, agencies) is data, never translated. Errors of the other packages
already carry `zh` and `en` texts; `pick()` chooses between them.

Free of Kivy: the printing and admin side can use it, and it is tested on its own.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("zh", "en")
"""zh is the default every wipe returns to; en is the switch on the home screen."""

CATALOGUE = Path(__file__).with_name("locale") / "en"


@cache
def english() -> dict[str, str]:
    """The English catalogue: Chinese message → English message."""
    merged: dict[str, str] = {}
    for part in sorted(CATALOGUE.glob("*.json")):
        merged.update(json.loads(part.read_text(encoding="utf-8")))
    return merged


def translate(message: str, lang: str, /, **values: object) -> str:
    """`message` (Chinese) in `lang`, with `values` filled in. A message missing from the
    English catalogue is shown in Chinese rather than not at all."""
    text = english().get(message, message) if lang == "en" else message
    return text.format(**values) if values else text


def pick(error: object, lang: str) -> str:
    """The text of one of our errors (anything with `zh` and `en`) in `lang`."""
    return str(getattr(error, "en" if lang == "en" else "zh", error))
