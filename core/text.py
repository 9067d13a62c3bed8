"""One input rule for everything people type, shared by every schema and form.

- No text anywhere may hold NUL, C0/C1 control characters (multi-line text keeps newlines and
  tabs) or bidirectional controls (they reorder what others read: "evil.com/gpj.exe").
- Display names are NFKC-normalised (full-width and compatibility look-alikes fold to one form),
  hold at least one visible character (U+2800, U+3164 and other blanks do not count), and no < >.
"""

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Characters that render as nothing (or as a blank) and are not spaces: a name of only these is empty.
INVISIBLE = set(
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\u2800\u3164\ufeff\uffa0"
) | {chr(c) for c in range(0xFE00, 0xFE10)}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\n\r\t\u2028\u2029]")


def _refuse_controls(value: str, *, multiline: bool) -> str:
    if _CONTROL.search(value) or (not multiline and _LINE_BREAK.search(value)):
        raise ValueError("must not contain control characters" + ("" if multiline else " or line breaks"))
    if any(ch in BIDI_CONTROLS for ch in value):
        raise ValueError("must not contain text-direction control characters")
    return value


def single_line(value: str) -> str:
    """A title, a search, a file name: one line of ordinary text."""
    return _refuse_controls(value, multiline=False)


def multi_line(value: str) -> str:
    """A chat message or a note: newlines and tabs are fine, other control characters are not."""
    return _refuse_controls(value.replace("\r\n", "\n"), multiline=True)


def is_visible(ch: str) -> bool:
    return ch not in INVISIBLE and not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Zs", "Mn")


def display_name(value: str) -> str:
    """A person's name as others will see it."""
    value = " ".join(unicodedata.normalize("NFKC", value).split())
    _refuse_controls(value, multiline=False)
    if "<" in value or ">" in value:
        raise ValueError("use letters, digits and ordinary punctuation only (no < >)")
    if not any(is_visible(ch) for ch in value):
        raise ValueError("must contain a visible character")
    if any(ch in INVISIBLE for ch in value):
        raise ValueError("must not contain invisible characters")
    return value


def same_name(a: str, b: str) -> bool:
    """Whether two display names read the same (case and compatibility forms folded)."""
    fold = lambda s: " ".join(unicodedata.normalize("NFKC", s).casefold().split())  # noqa: E731
    return bool(a) and fold(a) == fold(b)


def _line(max_length: int, min_length: int = 1) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


# The field types every schema uses: the length is the field's, the character rule is the one above.
Title = Annotated[str, _line(200), AfterValidator(single_line)]
SearchText = Annotated[str, _line(200, 0), AfterValidator(single_line)]
# a file's name comes from the sharer's disk: it is sanitised (core.storage.sanitize_filename), not refused
FileName = Annotated[str, _line(255)]
ContentType = Annotated[str, _line(100), AfterValidator(single_line)]
Identity = Annotated[str, _line(200), AfterValidator(single_line)]
Note = Annotated[str, _line(500, 0), AfterValidator(multi_line)]
Message = Annotated[str, _line(500), AfterValidator(multi_line)]
ChatText = Annotated[str, _line(2000), AfterValidator(multi_line)]
DisplayName = Annotated[str, _line(80), AfterValidator(display_name)]
