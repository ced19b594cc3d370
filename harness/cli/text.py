"""Untrusted text on the terminal: one function every piece of it goes through.

Why: the CLI prints text archbench does not control — a model's answer and tool names,
task ids and questions from a suite file, architecture and model names from a spec file or
a plug-in, paths the user typed. Rich reads `[...]` in a printed string as markup, so a
tool named `[/x]` crashed `archbench compare` with a MarkupError after the results were
saved; and a model's ANSI or OSC escape sequences went to the terminal raw, where they can
recolour it, retitle the window or hide text. `shown` makes any string safe to print or
to put in a table cell, and keeps it readable: it becomes a Rich `Text`, which is never
read as markup (`[/x]` prints as typed; escaping it inside a markup string cannot be done
right for every trailing backslash), with control characters replaced by visible
stand-ins (ESC prints as `␛`). Styled lines are assembled from `Text` pieces
(`Text.assemble`), never by formatting untrusted text into markup.
"""

from __future__ import annotations

import unicodedata

from rich.style import StyleType
from rich.text import Text

_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}
"""Bidirectional overrides and isolates: they reorder what the terminal shows."""


def _stand_in(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ ... ␟: U+2400 Control Pictures, ESC is ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"  # a lone surrogate: no terminal encoding carries it
    return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"  # C1 controls, bidi


def visible(text: object) -> str:
    """`text` with every control character (C0, DEL, C1), lone surrogate, line or
    paragraph separator and bidirectional override replaced by a visible stand-in;
    newlines and tabs too, so the result is always one line."""
    s = str(text)
    if s.isprintable() and not _BIDI.intersection(s):
        return s  # the usual case: nothing to replace
    out = []
    for ch in s:
        cat = unicodedata.category(ch)
        odd = cat in ("Cc", "Cs", "Zl", "Zp") or ch in _BIDI  # Zl, Zp: line breaks
        out.append(_stand_in(ch) if odd else ch)
    return "".join(out)


def shown(text: object, style: StyleType = "") -> Text:
    """`text` ready to print or to put in a table cell: visible (see `visible`), and a
    `Text`, so its brackets are never read as markup."""
    return Text(visible(text), style=style)
