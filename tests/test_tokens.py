"""The token estimate: 4 characters a token, one per CJK (or later) character."""

from __future__ import annotations

import random

from harness.tokens import count_tokens


def _by_hand(text: str) -> int:
    wide = sum(1 for ch in text if ch >= "\u2e80")
    return wide + (len(text) - wide + 3) // 4


def test_the_estimate() -> None:
    assert count_tokens("") == 0
    assert count_tokens("abcd") == 1 and count_tokens("abcde") == 2
    assert count_tokens("北京") == 2
    assert count_tokens("北京 is Beijing") == 2 + 3  # 2 wide + ceil(12 / 4)


def test_any_text_counts_as_by_hand() -> None:
    rng = random.Random(0)
    # around the CJK boundary, accents, a lone surrogate, an emoji, the last code point
    alphabet = ["a", " ", "é", "\u2e7f", "\u2e80", "北", "\ud800", "😀", "\U0010ffff", "\n"]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert count_tokens(text) == _by_hand(text), repr(text)
