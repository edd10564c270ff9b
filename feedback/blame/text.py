"""Text as the blame rules read it: one spelling per word, with a way back to what was typed.

Folding makes "Pat  Lindqvist", "PAT LINDQVIST", "Pat\u00a0Lindqvist", "Ｐａｔ Lindqvist" and
"Pat Lindqvíst" read the same: Unicode compatibility forms (NFKD), no accents, case folded,
curly apostrophes and dashes made plain, and every run of white space one space. Each folded
character remembers the typed character it came from, so a match found in the folded text is
highlighted in the words as written.
"""

import re
import unicodedata
from dataclasses import dataclass

_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u00b4": "'",
        "`": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
    }
)
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Folded:
    text: str  # the folded text
    starts: tuple[int, ...]  # for each folded character, where it starts in the original
    original: str

    def span(self, start: int, end: int, original: str) -> tuple[int, int]:
        """The original span [start, end) behind folded [start, end)."""
        if start >= len(self.starts):
            return len(original), len(original)
        first = self.starts[start]
        last = self.starts[end] if end < len(self.starts) else len(original)
        return first, last


def fold(text: str) -> Folded:
    """The folded text of `text` and the map back to it."""
    out: list[str] = []
    starts: list[int] = []
    in_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if not in_space:
                out.append(" ")
                starts.append(index)
            in_space = True
            continue
        in_space = False
        if char.isascii():
            pieces = char.lower()
        else:
            pieces = "".join(
                c
                for c in unicodedata.normalize("NFKD", char.translate(_PLAIN))
                if not unicodedata.combining(c)
            ).casefold()
            if pieces.isspace():
                pieces = " "
        for piece in pieces:
            out.append(piece)
            starts.append(index)
    return Folded("".join(out), tuple(starts), text)


def fold_name(name: str) -> str:
    """A name as the folded text spells it: 'Ｍoreno\u00a0 Díaz' is 'moreno diaz'."""
    return " ".join(WORD.findall(fold(name).text))
