"""Normalise skill labels and mentions so that trivial differences do not block a match.

Both sides (ESCO labels and free-text mentions) go through :func:`normalise`: Unicode NFKC,
case folding, optional accent folding, punctuation to spaces (``+`` and ``#`` are kept, for
``C++`` and ``C#``), runs of spaces collapsed. Nothing language-specific is removed: dropping
stop words or English ``-ing`` endings did not measurably help on the Decorte benchmark's
validation files (see ``bench/link_decorte.py``), so labels keep their words. Stop words
are only used to choose fuzzy candidates (:func:`content_tokens`).

>>> normalise("  Développer des APIs REST (backend)… ")
'developper des apis rest backend'
>>> normalise("C++ / C#")
'c++ c#'
>>> normalise("Développer", fold_accents=False)
'développer'
"""

from __future__ import annotations

import re
import unicodedata

_PUNCTUATION = re.compile(r"[^\w\s+#]|_")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d"})

_ENGLISH = "a an and are as at be by for from in into is it its of on or our the their this to "
_ENGLISH += "we with you your"
_FRENCH = "à a au aux avec ce ces d dans de des du en et l la le les leur leurs ou où par pour "
_FRENCH += "sa ses son sur un une"  # accent-folded and not: à/a, où/ou
STOPWORDS = frozenset(_ENGLISH.split()) | frozenset(_FRENCH.split())
"""Function words that alone do not make two labels similar (English and French)."""


def normalise(text: str, *, fold_accents: bool = True) -> str:
    """The comparable form of a label or mention (see the module docstring).

    >>> normalise("Patient-centred  care.")
    'patient centred care'
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    if fold_accents and not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded.translate(_LIGATURES))
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_PUNCTUATION.sub(" ", folded).split())


def content_tokens(normalised: str) -> list[str]:
    """The distinct words of a normalised text, without stop words (unless it has only those).

    >>> content_tokens("manage the staff of the theatre")
    ['manage', 'staff', 'theatre']
    >>> content_tokens("to be")
    ['to', 'be']
    """
    words = list(dict.fromkeys(normalised.split()))
    content = [w for w in words if w not in STOPWORDS]
    return content or words
