"""Every message the screens ask for has its English, and no Chinese reaches a screen untranslated.

Static: the `tr._("…")` literals of `kiosk/ui/*.py` and `kiosk/ui/*.kv` (every part's, not only
the core screens') are read with a regular expression and looked up in the merged English
catalogue (`kiosk/locale/en/*.json`). A missing entry would show Chinese in the English mode;
a `{field}` missing on one side would fail or show a brace at run time.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from kiosk.i18n import english, translate

UI = Path(__file__).resolve().parents[2] / "kiosk" / "ui"
LITERAL = re.compile(r'''tr\._\(\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')''')
QUOTED = re.compile(r'''"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*\'''')
CJK = re.compile(r"[\u3400-\u9fff]")
SHOWN_AS_IS = {"中文"}
"""Chinese literals a screen may show untranslated: the language switch names Chinese in Chinese."""


def ui_files() -> list[Path]:
    return sorted([*UI.glob("*.py"), *UI.glob("*.kv")])


def code_lines(path: Path) -> list[str]:
    """The file's lines, with the docstrings of Python files blanked: a docstring may show
    `tr._("…")` as an example without asking for that message. (kv held in a Python string,
    given to `Builder.load_string`, is code and stays.)"""
    lines = path.read_text(encoding="utf-8").splitlines()
    if path.suffix == ".py":
        for node in ast.walk(ast.parse("\n".join(lines))):
            if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)):
                for i in range(node.lineno - 1, node.end_lineno or node.lineno):
                    lines[i] = ""
    return lines


def messages() -> dict[str, list[str]]:
    """Each message → where it is asked for ("file:line")."""
    found: dict[str, list[str]] = {}
    for path in ui_files():
        for n, line in enumerate(code_lines(path), 1):
            for m in LITERAL.finditer(line):
                found.setdefault(ast.literal_eval(m.group(1)), []).append(f"{path.name}:{n}")
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_screens_ask_for_messages_at_all():
    # guards the regular expression: finding nothing would make the tests below pass vacuously
    found = messages()
    assert "打印" in found and "找到 {n} 条相关信息" in found and len(found) > 50


def test_every_message_has_english():
    missing = {m: where for m, where in messages().items() if m not in english()}
    assert not missing, "no English for:\n" + "\n".join(
        f"  {m!r}  ({', '.join(where)})" for m, where in sorted(missing.items()))


def test_english_has_the_same_fields_as_chinese():
    catalogue = english()
    wrong = {m: (sorted(fields(m)), sorted(fields(catalogue[m])))
             for m in messages() if m in catalogue and fields(m) != fields(catalogue[m])}
    assert not wrong, "fields differ (Chinese, English):\n" + "\n".join(
        f"  {m!r}: {zh} vs {en}" for m, (zh, en) in sorted(wrong.items()))


def test_every_english_entry_formats():
    for zh in english():
        values = dict.fromkeys(fields(zh), 1)
        assert translate(zh, "en", **values), f"{zh!r} has an empty English"


def kv_chinese_shown_untranslated(path: Path) -> list[str]:
    """String literals with Chinese in a kv file that are not the argument of `tr._(`."""
    bad = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code = line.strip()
        if not code or code.startswith("#"):
            continue  # comments may say anything
        translated = {m.start(1) for m in LITERAL.finditer(line)}
        for m in QUOTED.finditer(line):
            text = ast.literal_eval(m.group(0))
            if CJK.search(text) and m.start() not in translated and text not in SHOWN_AS_IS:
                bad.append(f"{path.name}:{n}: {text!r}")
    return bad


@pytest.mark.parametrize("kv", sorted(UI.glob("*.kv")), ids=lambda p: p.name)
def test_no_chinese_in_kv_is_shown_without_tr(kv):
    bad = kv_chinese_shown_untranslated(kv)
    assert not bad, "Chinese shown without tr._():\n" + "\n".join(bad)
