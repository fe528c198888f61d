"""Letter-to-sound for words missing from CMUdict: espeak-ng IPA (Piper's bundled espeak) → ARPAbet."""

from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache

# Longest match first; keys are NFD code-point strings as espeak (via Piper) emits them.
_IPA_TO_ARPABET: dict[str, str] = {
    "aɪ": "AY",
    "aʊ": "AW",
    "eɪ": "EY",
    "oʊ": "OW",
    "əʊ": "OW",
    "ɔɪ": "OY",
    "tʃ": "CH",
    "dʒ": "JH",
    "ɜː": "ER",
    "ɑː": "AA",
    "iː": "IY",
    "uː": "UW",
    "ɔː": "AO",
    "ɪə": "IH R",
    "eə": "EH R",
    "ʊə": "UH R",
    "a": "AE",
    "æ": "AE",
    "ɐ": "AH",
    "ə": "AH",
    "ʌ": "AH",
    "ɑ": "AA",
    "ɒ": "AA",
    "ɔ": "AO",
    "o": "OW",
    "e": "EH",
    "ɛ": "EH",
    "ɪ": "IH",
    "ᵻ": "IH",
    "ɨ": "IH",
    "i": "IY",
    "ʊ": "UH",
    "u": "UW",
    "ɯ": "UW",
    "y": "UW",
    "ø": "ER",
    "œ": "ER",
    "ɚ": "ER",
    "ɝ": "ER",
    "ɜ": "ER",
    "b": "B",
    "d": "D",
    "f": "F",
    "ɡ": "G",
    "g": "G",
    "h": "HH",
    "k": "K",
    "l": "L",
    "ɫ": "L",
    "ɬ": "L",
    "ʎ": "L",
    "m": "M",
    "n": "N",
    "ɲ": "N",
    "ŋ": "NG",
    "p": "P",
    "s": "S",
    "t": "T",
    "ɾ": "T",
    "v": "V",
    "w": "W",
    "z": "Z",
    "j": "Y",
    "θ": "TH",
    "ð": "DH",
    "ʃ": "SH",
    "ʒ": "ZH",
    "ɹ": "R",
    "r": "R",
    "ʁ": "R",
    "x": "K",
    "ç": "HH",
    "c": "K",
    "q": "K",
    "ʔ": "",
}
_MAX_KEY = max(len(k) for k in _IPA_TO_ARPABET)

# Plain spelling fallback when no phonemiser is available at all.
_LETTERS = {
    "a": "AE",
    "b": "B",
    "c": "K",
    "d": "D",
    "e": "EH",
    "f": "F",
    "g": "G",
    "h": "HH",
    "i": "IH",
    "j": "JH",
    "k": "K",
    "l": "L",
    "m": "M",
    "n": "N",
    "o": "AA",
    "p": "P",
    "q": "K",
    "r": "R",
    "s": "S",
    "t": "T",
    "u": "AH",
    "v": "V",
    "w": "W",
    "x": "K S",
    "y": "Y",
    "z": "Z",
}

_LOCAL_LOCK = threading.Lock()
_phonemizer: object | None = None


def ipa_to_arpabet(ipa: str) -> str:
    """ARPAbet phones (space separated) for an IPA string; stress/length marks are dropped."""
    s = unicodedata.normalize("NFD", ipa)
    out: list[str] = []
    i = 0
    while i < len(s):
        for n in range(min(_MAX_KEY, len(s) - i), 0, -1):
            phone = _IPA_TO_ARPABET.get(s[i : i + n])
            if phone is not None:
                if phone:
                    out.append(phone)
                i += n
                break
        else:
            i += 1  # stress, length, syllabic marks, spaces, punctuation
    return " ".join(out)


def spell(word: str) -> str:
    """A crude pronunciation from the letters alone."""
    return " ".join(_LETTERS[c] for c in word.lower() if c in _LETTERS)


def _espeak_ipa(word: str, language: str) -> str:
    global _phonemizer
    from piper import voice as piper_voice
    from piper.phonemize_espeak import EspeakPhonemizer

    # Piper's espeak bridge has process-global state guarded by this lock inside piper.
    lock = getattr(piper_voice, "_ESPEAK_PHONEMIZER_LOCK", _LOCAL_LOCK)
    with lock:
        if _phonemizer is None:
            _phonemizer = EspeakPhonemizer()
        sentences = _phonemizer.phonemize(language, word)  # type: ignore[attr-defined]
    return "".join("".join(s) for s in sentences)


@lru_cache(maxsize=4096)
def guess_pronunciation(word: str, language: str = "en-us") -> str:
    """ARPAbet for `word` from espeak-ng's rules, or from its spelling if espeak is unavailable."""
    try:
        phones = ipa_to_arpabet(_espeak_ipa(word, language))
    except Exception:  # noqa: BLE001 - piper missing or espeak failure: spelling still aligns roughly
        phones = ""
    return phones or spell(word) or "AH"
