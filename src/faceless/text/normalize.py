"""Script tokens → their spoken form for TTS (numbers, money, dates, units, URLs...) and caption form.

`normalize_tokens` keeps one output per input token so that word timings of the spoken text map back to
the words shown in captions. Sentence punctuation stays on the spoken form: the TTS uses it for prosody.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from num2words import num2words

from faceless.text.chars import SPACE_RE, strip_controls, strip_emoji

# Characters peeled off the ends of a token and put back around its spoken form.
_LEAD = "\"'“‘«‹([{¿¡"
_TRAIL = ".,;:!?…)]}\"'”’»›"
_MARKUP = "*_`"  # Markdown residue: never spoken ("asterisk"), never kept.
_SENTENCE_END = ".!?…"

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_NUM_RE = re.compile(rf"^(?P<sign>[-−+±~])?(?P<num>{_NUM})$")

_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
_MONTH_ABBR = {m[:3].lower(): m for m in _MONTHS} | {"sept": "September"}
_MONTH_FULL = {m.lower(): m for m in _MONTHS}

# symbol: (singular, plural, minor singular, minor plural)
_CURRENCIES: dict[str, tuple[str, str, str, str]] = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "US$": ("dollar", "dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "¥": ("yen", "yen", "", ""),
    "₹": ("rupee", "rupees", "paisa", "paise"),
    "₩": ("won", "won", "", ""),
    "₽": ("ruble", "rubles", "kopek", "kopeks"),
}
_CUR_SYM = "US\\$|[$€£¥₹₩₽]"
_SCALE_SUFFIX = {
    "k": "thousand", "K": "thousand", "m": "million", "M": "million", "mn": "million",
    "b": "billion", "B": "billion", "bn": "billion", "tn": "trillion", "T": "trillion",
}  # fmt: skip
_SCALE_WORDS = {"thousand", "million", "billion", "trillion"}
_CURRENCY_RE = re.compile(
    rf"^(?P<sign>[-−])?(?P<sym>{_CUR_SYM})(?P<num>{_NUM})(?P<scale>{'|'.join(_SCALE_SUFFIX)}"
    rf"|thousand|million|billion|trillion)?$|^(?P<num2>{_NUM})(?P<sym2>[$€£¥₹])$"
)

# unit: (singular, plural). Case matters ("m" metres, "M" million).
_UNITS: dict[str, tuple[str, str]] = {
    "km": ("kilometer", "kilometers"), "m": ("meter", "meters"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "mi": ("mile", "miles"), "ft": ("foot", "feet"),
    "in": ("inch", "inches"), "yd": ("yard", "yards"), "kg": ("kilogram", "kilograms"),
    "g": ("gram", "grams"), "mg": ("milligram", "milligrams"), "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"), "oz": ("ounce", "ounces"), "l": ("liter", "liters"),
    "L": ("liter", "liters"), "ml": ("milliliter", "milliliters"), "mL": ("milliliter", "milliliters"),
    "km/h": ("kilometer per hour", "kilometers per hour"), "kph": ("kilometer per hour", "kilometers per hour"),
    "mph": ("mile per hour", "miles per hour"), "m/s": ("meter per second", "meters per second"),
    "s": ("second", "seconds"), "sec": ("second", "seconds"), "ms": ("millisecond", "milliseconds"),
    "min": ("minute", "minutes"), "mins": ("minute", "minutes"), "h": ("hour", "hours"),
    "hr": ("hour", "hours"), "hrs": ("hour", "hours"), "GB": ("gigabyte", "gigabytes"),
    "MB": ("megabyte", "megabytes"), "KB": ("kilobyte", "kilobytes"), "kB": ("kilobyte", "kilobytes"),
    "TB": ("terabyte", "terabytes"), "GHz": ("gigahertz", "gigahertz"), "MHz": ("megahertz", "megahertz"),
    "kHz": ("kilohertz", "kilohertz"), "Hz": ("hertz", "hertz"), "kW": ("kilowatt", "kilowatts"),
    "kWh": ("kilowatt hour", "kilowatt hours"), "W": ("watt", "watts"), "V": ("volt", "volts"),
    "mAh": ("milliamp hour", "milliamp hours"), "°C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"), "°": ("degree", "degrees"),
    "x": ("times", "times"), "X": ("times", "times"), "yo": ("year old", "years old"),
}  # fmt: skip
# Units also recognised as a separate token after a number ("5 km"); short ambiguous ones are not.
_SEPARATE_UNITS = {
    "km", "cm", "mm", "kg", "mg", "lb", "lbs", "oz", "ml", "mL", "km/h", "kph", "mph", "m/s", "ms",
    "min", "mins", "hr", "hrs", "GB", "MB", "KB", "kB", "TB", "GHz", "MHz", "kHz", "Hz", "kW", "kWh",
    "mAh", "°C", "°F",
}  # fmt: skip
_UNIT_RE = re.compile(
    rf"^(?P<sign>[-−+±~])?(?P<num>{_NUM})(?P<unit>"
    + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
    + r")$"
)
_SCALE_NUM_RE = re.compile(rf"^(?P<sign>[-−+±~])?(?P<num>{_NUM})(?P<scale>k|K|M|mn|bn|B|tn)$")

_SYMBOLS = {
    "&": "and", "+": "plus", "=": "equals", "%": "percent", "°": "degrees", "@": "at", "#": "number",
    "×": "times", "~": "about", "≈": "about", "→": "to", "<": "less than", ">": "greater than",
    "±": "plus or minus", "w/": "with", "w/o": "without", "©": "copyright", "/": "or",
}  # fmt: skip
_INNER_SYMBOLS = {"&": " and ", "+": " plus ", "@": " at ", "=": " equals ", "%": " percent ", "×": " times "}

# Abbreviation → expansion; "final" ones may also end a sentence, so their stop is kept before a capital.
_TITLES = {
    "dr.": "Doctor", "mr.": "Mister", "mrs.": "Missus", "ms.": "Miz", "prof.": "Professor",
    "mt.": "Mount", "capt.": "Captain", "lt.": "Lieutenant", "sgt.": "Sergeant", "gen.": "General",
    "rev.": "Reverend", "gov.": "Governor", "sen.": "Senator", "vs.": "versus", "vs": "versus",
    "v.": "versus", "e.g.": "for example", "eg.": "for example", "i.e.": "that is", "ie.": "that is",
    "approx.": "approximately", "cf.": "compare", "fig.": "figure", "vol.": "volume", "dept.": "department",
    "govt.": "government", "ca.": "circa", "no.": "number", "nos.": "numbers",
}  # fmt: skip
_FINALS = {
    "etc.": "et cetera", "inc.": "Incorporated", "ltd.": "Limited", "corp.": "Corporation",
    "jr.": "Junior", "sr.": "Senior", "ave.": "Avenue", "blvd.": "Boulevard", "a.m.": "a m", "p.m.": "p m",
    "u.s.": "U S", "u.k.": "U K", "u.s.a.": "U S A", "ph.d.": "P H D",
    "st.": "Street", "co.": "Company", "rd.": "Road",
}  # fmt: skip
_ABBREVIATIONS = _TITLES | _FINALS
_YEAR_CUES = {
    "in", "since", "by", "from", "of", "until", "till", "before", "after", "during", "circa", "year",
    "to", "through", "and", "or", "between", "early", "late", "mid", "summer", "winter", "spring",
    "autumn", "fall", "around", "the", "ca",
}  # fmt: skip
# After these a 4-digit number is still read as a year ("1998 was", "2024 and").
_AFTER_YEAR_OK = {
    "and", "or", "to", "was", "were", "is", "saw", "had", "has", "brought", "when", "with", "the", "a",
    "an", "in", "on", "at", "through", "until", "till", "but", "as", "marked", "began", "ended", "-", "–",
}  # fmt: skip
# Alphabetic tokens whose reading depends on a neighbour ("5 km", "7 pm", "Jan 5", "No 5").
_CONTEXT_WORDS = {u.lower() for u in _SEPARATE_UNITS} | set(_MONTH_ABBR) | {"am", "pm", "no"}
_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def _cardinal(value: int | float, lang: str = "en") -> str:
    return str(num2words(value, lang=lang))


def _plural_word(words: str) -> str:
    """'nineteen ninety' → 'nineteen nineties' (decades)."""
    head, _, last = words.rpartition(" ")
    last = last[:-1] + "ies" if last.endswith("y") else last + "s"
    return f"{head} {last}".strip()


def speak_number(num: str, sign: str = "") -> str:
    """A plain number string ("10,000", "3.14", ".5", "007") in words, with an optional sign."""
    num = num.replace(",", "")
    whole, _, frac = num.partition(".")
    if len(whole) > 1 and whole.startswith("0") or len(whole) > 15:
        words = " ".join(_DIGITS[int(d)] for d in whole)  # codes, ids: digit by digit
    else:
        words = _cardinal(int(whole or "0"))
    if frac:
        words = f"{words} point {' '.join(_DIGITS[int(d)] for d in frac)}"
        if not whole:
            words = words.removeprefix("zero ")
    prefix = {"-": "minus ", "−": "minus ", "+": "plus ", "±": "plus or minus ", "~": "about "}.get(sign, "")
    return prefix + words


def _number_value(num: str) -> float:
    return float(num.replace(",", "") or 0)


def _ordinal(n: int) -> str:
    return str(num2words(n, to="ordinal"))


def _year(n: int) -> str:
    return str(num2words(n, to="year"))


def _split_words(name: str) -> str:
    """'ThrowbackThursday2024' / 'jane_doe' → 'Throwback Thursday twenty twenty-four' / 'jane doe'."""
    parts = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\W\d_]+", name)
    return " ".join(speak_number(p) if p.isdecimal() else p for p in parts)


def _speak_address(core: str) -> str:
    """'https://www.example.com/x-y?q=1' → 'w w w dot example dot com slash x dash y'."""
    core = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", core)
    core = re.split(r"[?#]", core, maxsplit=1)[0].rstrip("/")
    names = {".": "dot", "/": "slash", "@": "at", "-": "dash", "_": "underscore", ":": "colon", "~": "tilde"}
    out: list[str] = []
    for piece in re.findall(r"[^./@_:~-]+|[./@_:~-]", core):
        if piece in names:
            out.append(names[piece])
        elif piece.lower() == "www":
            out.append("w w w")
        elif piece.isdecimal():
            out.append(speak_number(piece))
        else:
            out.append(piece)
    return " ".join(out)


_TLDS = (
    "com|org|net|io|ai|co|dev|app|edu|gov|uk|de|fr|es|it|nl|tv|me|info|xyz|ly|gg|us|ca|au|in|jp|eu|"
    "ch|se|no|be|at|ie|nz|br|mx|biz|blog|news|tech|site|online|store|shop"
)
_URL_RE = re.compile(
    rf"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://\S+|www\.\S+|(?:[\w-]+\.)+(?:{_TLDS})(?:[/?#]\S*)?)$", re.IGNORECASE
)
_EMAIL_RE = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_TIME_RE = re.compile(
    r"^(?P<h>\d{1,2})(?::(?P<m>\d{2}))?(?::(?P<s>\d{2}))?(?P<ap>[ap]\.?m\.?)?$", re.IGNORECASE
)
_ISO_DATE_RE = re.compile(r"^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})$")
_US_DATE_RE = re.compile(r"^(?P<mo>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})$")
_ORDINAL_RE = re.compile(r"^(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?:st|nd|rd|th)$", re.IGNORECASE)
_PERCENT_RE = re.compile(rf"^(?P<sign>[-−+±~])?(?P<num>{_NUM})%$")
_RANGE_RE = re.compile(rf"^(?P<a>{_NUM})[-–—](?P<b>{_NUM})(?P<unit>%|[a-zA-Z°/]+)?$")
_FRACTION_RE = re.compile(r"^(?P<a>\d+)/(?P<b>\d+)$")
_DECADE_RE = re.compile(r"^(?P<num>\d{2}|\d{4})'?s$")


def _speak_time(m: re.Match[str], ampm_next: bool = False) -> str | None:
    h, mins = int(m["h"]), m["m"]
    ap = (m["ap"] or "").lower().replace(".", "")
    if mins is None and not ap:
        return None
    if h > 24 or (mins is not None and int(mins) > 59) or (ap and not 1 <= h <= 12):
        return None
    words = _cardinal(h)
    if mins is not None and int(mins) != 0:
        words += " " + (f"oh {_cardinal(int(mins))}" if int(mins) < 10 else _cardinal(int(mins)))
    elif not ap and not ampm_next:
        words += " o'clock" if h <= 12 else " hundred"
    if m["s"] and int(m["s"]):
        words += f" and {_cardinal(int(m['s']))} seconds"
    if ap:
        words += " a m" if ap == "am" else " p m"
    return words


def _speak_date(year: int, month: int, day: int) -> str | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{_MONTHS[month - 1]} {_ordinal(day)}, {_year(year)}"


def _currency_words(sym: str, num: str, scale: str | None, sign: str, deferred: bool) -> str:
    """Money in words; with `deferred` the unit name is left for the following scale word."""
    one, many, minor_one, minor_many = _CURRENCIES.get(sym, _CURRENCIES["$"])
    value = _number_value(num)
    prefix = "minus " if sign else ""
    if scale:
        scale_word = _SCALE_SUFFIX.get(scale, scale.lower())
        return f"{prefix}{speak_number(num)} {scale_word} {many}"
    whole, _, frac = num.replace(",", "").partition(".")
    if deferred:
        return prefix + speak_number(num)
    if len(frac) == 2 and minor_one:
        units, cents = int(whole or 0), int(frac)
        parts = []
        if units:
            parts.append(f"{_cardinal(units)} {one if units == 1 else many}")
        if cents or not units:
            parts.append(f"{_cardinal(cents)} {minor_one if cents == 1 else minor_many}")
        return prefix + " and ".join(parts)
    return f"{prefix}{speak_number(num)} {one if value == 1 and not frac else many}"


class _English:
    """One pass over the tokens with access to neighbours; `extra[j]` is appended to token j's words."""

    def __init__(self, tokens: list[str]) -> None:
        self.raw = tokens
        # Printable ASCII has neither emoji nor control characters: skip the Unicode regexes for it.
        self.parts = [
            _peel(t if t.isascii() and t.isprintable() else strip_controls(strip_emoji(t))) for t in tokens
        ]
        self.extra: dict[int, str] = {}

    def core(self, i: int) -> str:
        return self.parts[i][1] if 0 <= i < len(self.parts) else ""

    def next_starts_sentence(self, i: int) -> bool:
        """True when token i is the last one or the next one begins with a capital (a new sentence)."""
        for j in range(i + 1, len(self.parts)):
            lead, core, _ = self.parts[j]
            if core or lead:
                text = lead + core
                first = next((c for c in text if c.isalnum()), "")
                return not first or first.isupper() or first.isdecimal()
        return True

    def is_month(self, i: int) -> bool:
        c = self.core(i)
        low = c.lower().rstrip(".")
        return c[:1].isupper() and (low in _MONTH_FULL or low in _MONTH_ABBR)

    def is_day(self, i: int) -> bool:
        c = self.core(i)
        m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", c, re.IGNORECASE)
        return bool(m) and 1 <= int(m.group(1)) <= 31

    def is_year(self, i: int, n: int, num: str) -> bool:
        if "," in num or "." in num or not 1000 <= n <= 2099 or len(num) != 4:
            return False
        prev = self.core(i - 1).lower()
        if prev in _YEAR_CUES or self.is_month(i - 1) or (self.is_day(i - 1) and self.is_month(i - 2)):
            return True
        nxt_lead, nxt, _ = self.parts[i + 1] if i + 1 < len(self.parts) else ("", "", "")
        if self.parts[i][2] or not nxt:  # "1998," / "1998." / last token
            return True
        # "1998 people" is a count; "1998 was" a year.
        return not (nxt.isalpha() and nxt.islower() and nxt not in _AFTER_YEAR_OK and not nxt_lead)

    def run(self) -> list[str]:
        out = []
        for i, (lead, core, trail) in enumerate(self.parts):
            words, trail = self.speak(i, core, trail)
            if i in self.extra:
                words = f"{words} {self.extra[i]}".strip()
            if not words:
                # Nothing spoken: keep sentence punctuation for prosody; a lone dash becomes a pause.
                stop = "".join(c for c in trail if c in ".,;:!?…")
                out.append(stop or ("," if core in ("-", "–", "—", "--") else ""))
                continue
            if lead.endswith("'") and core[:1].isdecimal():
                lead = lead[:-1]  # "'90s" → "nineties"
            out.append(SPACE_RE.sub(" ", f"{lead}{words}{trail}").strip())
        return out

    def speak(self, i: int, core: str, trail: str) -> tuple[str, str]:
        """Spoken words of token i's core and the trailing punctuation left to put back."""
        if not core:
            return "", trail
        low = core.lower()
        if trail.startswith(".") and self.is_month(i) and low in _MONTH_ABBR and low != "may":
            if self.is_day(i + 1) or self.is_day(i - 1) or _NUM_RE.match(self.core(i + 1)):
                return _MONTH_ABBR[low], trail[1:]  # "Jan. 5" → "January 5"
        # Abbreviations: the stop is part of the core ("Dr." → core "Dr" + trail ".").
        if (trail.startswith(".") and f"{low}." in _ABBREVIATIONS) or low in _TITLES:
            return self.abbreviation(i, core, trail)
        if core.isalpha():  # plain words: only a neighbouring number can change them
            if low in _CONTEXT_WORDS:
                return self.h_context_word(i, core) or core, trail
            return core, trail
        for handler in self.handlers:
            words = handler(self, i, core)
            if words is not None:
                return words, trail
        return core, trail

    def abbreviation(self, i: int, core: str, trail: str) -> tuple[str, str]:
        low = core.lower()
        key = low if low in _TITLES and not trail.startswith(".") else f"{low}."
        rest = trail[1:] if trail.startswith(".") and key.endswith(".") else trail
        next_cap = self.next_starts_sentence(i)
        next_name = self.core(i + 1)[:1].isupper()
        if key == "dr.":  # "Dr. Smith" vs "Elm Dr."
            if self.is_name_word(i - 1) and not next_name:
                return "Drive", ("." if next_cap and not rest else "") + rest
            return "Doctor", rest
        if key == "st.":  # "St. Louis" vs "Main St."
            if next_name and not self.is_name_word(i - 1):
                return "Saint", rest
            return "Street", ("." if next_cap and not rest else "") + rest
        if key in ("no.", "nos.") and not self.core(i + 1)[:1].isdecimal():
            return core, trail  # "No." as an answer
        if key in _FINALS:
            return _FINALS[key], ("." if next_cap and not rest else "") + rest
        return _TITLES[key], rest

    def is_name_word(self, i: int) -> bool:
        """Token i is capitalised and not the first word of a sentence (so likely a name)."""
        if i < 0 or not self.core(i)[:1].isupper():
            return False
        if i == 0:
            return False
        prev_trail = self.parts[i - 1][2]
        return not (prev_trail and prev_trail.rstrip("\"'”’)]»")[-1:] in (".", "!", "?", "…"))

    # -- handlers: each returns words or None --------------------------------------------------------

    def h_address(self, i: int, core: str) -> str | None:
        if _EMAIL_RE.match(core) or _URL_RE.match(core):
            return _speak_address(core)
        return None

    def h_tag(self, i: int, core: str) -> str | None:
        if len(core) > 1 and core[0] in "#@" and re.fullmatch(r"\w+", core[1:]):
            if core[0] == "#" and core[1:].isdecimal():
                return f"number {speak_number(core[1:])}"
            return ("hashtag " if core[0] == "#" else "at ") + _split_words(core[1:])
        return None

    def h_currency(self, i: int, core: str) -> str | None:
        m = _CURRENCY_RE.match(core)
        if not m:
            return None
        sym, num = (m["sym"], m["num"]) if m["sym"] else (m["sym2"], m["num2"])
        scale = m["scale"]
        nxt = self.core(i + 1)
        deferred = not scale and nxt.lower() in _SCALE_WORDS
        if deferred:
            one, many, *_ = _CURRENCIES.get(sym, _CURRENCIES["$"])
            self.extra[i + 1] = many
        return _currency_words(sym, num, scale, m["sign"] or "", deferred)

    def h_time(self, i: int, core: str) -> str | None:
        m = _TIME_RE.match(core)
        if not m:
            return None
        nxt = self.core(i + 1).lower().replace(".", "")
        return _speak_time(m, ampm_next=nxt in ("am", "pm"))

    def h_date(self, i: int, core: str) -> str | None:
        if m := _ISO_DATE_RE.match(core):
            return _speak_date(int(m["y"]), int(m["mo"]), int(m["d"]))
        if m := _US_DATE_RE.match(core):
            y = int(m["y"])
            if len(m["y"]) == 2:
                y += 2000 if y < 70 else 1900
            return _speak_date(y, int(m["mo"]), int(m["d"]))
        return None

    def h_ordinal(self, i: int, core: str) -> str | None:
        if m := _ORDINAL_RE.match(core):
            words = _ordinal(int(m["num"].replace(",", "")))
            return f"the {words} of" if self.is_month(i + 1) and self.core(i - 1).lower() != "the" else words
        return None

    def h_percent(self, i: int, core: str) -> str | None:
        if m := _PERCENT_RE.match(core):
            return f"{speak_number(m['num'], m['sign'] or '')} percent"
        return None

    def h_decade(self, i: int, core: str) -> str | None:
        m = _DECADE_RE.match(core)
        if m and m["num"].endswith("0"):
            n = int(m["num"])
            return _plural_word(_year(n) if n >= 1000 else _cardinal(n))
        return None

    def h_range(self, i: int, core: str) -> str | None:
        m = _RANGE_RE.match(core)
        if not m:
            return None
        a, b, unit = m["a"], m["b"], m["unit"]
        if unit and unit != "%" and unit not in _UNITS:
            return None
        years = all(len(x) == 4 and x.isdecimal() and 1000 <= int(x) <= 2099 for x in (a, b))
        words = f"{_year(int(a))} to {_year(int(b))}" if years else f"{speak_number(a)} to {speak_number(b)}"
        if unit == "%":
            return words + " percent"
        if unit:
            return f"{words} {_UNITS[unit][1]}"
        return words

    def h_unit(self, i: int, core: str) -> str | None:
        if m := _UNIT_RE.match(core):
            one, many = _UNITS[m["unit"]]
            value = _number_value(m["num"])
            return f"{speak_number(m['num'], m['sign'] or '')} {one if value == 1 and '.' not in m['num'] else many}"
        if m := _SCALE_NUM_RE.match(core):
            return f"{speak_number(m['num'], m['sign'] or '')} {_SCALE_SUFFIX[m['scale']]}"
        return None

    def h_fraction(self, i: int, core: str) -> str | None:
        m = _FRACTION_RE.match(core)
        if not m:
            return None
        a, b = int(m["a"]), int(m["b"])
        if 0 < a < b <= 10:
            if b == 2:
                den = "half" if a == 1 else "halves"
            elif b == 4:
                den = "quarter" if a == 1 else "quarters"
            else:
                den = _ordinal(b) + ("" if a == 1 else "s")
            return f"{_cardinal(a)} {den}"
        return f"{speak_number(m['a'])} {speak_number(m['b'])}"  # "24/7", "9/11"

    def h_number(self, i: int, core: str) -> str | None:
        m = _NUM_RE.match(core)
        if not m:
            return None
        num, sign = m["num"], m["sign"] or ""
        if not sign and num.isdecimal() and self.is_year(i, int(num), num):
            return _year(int(num))
        if not sign and self.is_month(i + 1) and self.is_day(i) and self.core(i - 1).lower() != "the":
            return f"the {_ordinal(int(num))} of"  # "5 January"
        if not sign and self.is_month(i - 1) and self.is_day(i):
            return _ordinal(int(num))  # "Jan. 5"
        return speak_number(num, sign)

    def h_context_word(self, i: int, core: str) -> str | None:
        """Words whose reading depends on a neighbouring number: units, am/pm, month abbreviations."""
        prev = self.core(i - 1)
        prev_is_num = bool(_NUM_RE.match(prev)) or bool(_TIME_RE.match(prev))
        low = core.lower().replace(".", "")
        if prev_is_num and low in ("am", "pm"):
            return "a m" if low == "am" else "p m"
        if prev_is_num and core in _SEPARATE_UNITS:
            one, many = _UNITS[core]
            return one if _NUM_RE.match(prev) and _number_value(prev) == 1 and "." not in prev else many
        if low in _MONTH_ABBR and low not in _MONTH_FULL and (self.is_day(i + 1) or self.is_day(i - 1)):
            return _MONTH_ABBR[low]
        if low == "no" and core != "no" and self.core(i + 1)[:1].isdecimal():
            return "number"
        return None

    def h_symbol(self, i: int, core: str) -> str | None:
        if core in _SYMBOLS:
            return _SYMBOLS[core]
        if core in ("-", "–", "—", "…", "...", "/"):
            return ""
        return None

    def h_mixed(self, i: int, core: str) -> str | None:
        """Letters mixed with digits or inner symbols: 'R&D', 'COVID-19', '4K', 'C++', 'and/or'."""
        if core.isalpha() or not any(c.isdecimal() or c in _INNER_SYMBOLS or c == "/" for c in core):
            return None
        pieces = re.findall(r"\d+(?:\.\d+)?|[^\W\d_]+(?:'[^\W\d_]+)?|[&+@=%×/]", core)
        if not pieces:
            return None
        out = []
        for p in pieces:
            if p[0].isdecimal():
                out.append(speak_number(p))
            elif p in _INNER_SYMBOLS:
                out.append(_INNER_SYMBOLS[p].strip())
            elif p != "/":
                out.append(p)
        return " ".join(out)

    def h_generic_symbols(self, i: int, core: str) -> str | None:
        """Only symbols/punctuation left (e.g. '***', '|', '•'): nothing to say."""
        if not any(c.isalnum() for c in core):
            return ""
        return None

    handlers: list[Callable[[_English, int, str], str | None]] = [
        h_address, h_tag, h_currency, h_date, h_time, h_ordinal, h_percent, h_decade, h_range,
        h_unit, h_fraction, h_number, h_context_word, h_symbol, h_mixed, h_generic_symbols,
    ]  # fmt: skip


def _peel(token: str) -> tuple[str, str, str]:
    """Split a token into (leading quotes/brackets, core, trailing punctuation); markup stars dropped."""
    token = token.strip(_MARKUP)
    start, end = 0, len(token)
    while start < end and token[start] in _LEAD:
        start += 1
    while end > start and token[end - 1] in _TRAIL + _MARKUP:
        end -= 1
    lead, core, trail = token[:start], token[start:end].strip(_MARKUP), token[end:]
    trail = "".join(c for c in trail if c not in _MARKUP)
    # A "..." inside the trail is one ellipsis, not three full stops.
    return lead, core, trail


def _normalize_generic(token: str, language: str) -> str:
    """Non-English: numbers through num2words in that language, emoji dropped, the rest unchanged."""
    lead, core, trail = _peel(strip_controls(strip_emoji(token)))
    m = _NUM_RE.match(core.replace(" ", ""))
    if m:
        try:
            words = str(num2words(_number_value(m["num"]), lang=language))
            if m["sign"] in ("-", "−"):
                words = str(num2words(-_number_value(m["num"]), lang=language))
            core = words
        except (NotImplementedError, OverflowError, ValueError):
            pass
    if not core and not any(c in ".,;:!?…" for c in trail):
        return ""
    return f"{lead}{core}{trail}".strip()


def normalize_tokens(tokens: list[str], language: str = "en") -> list[str]:
    """Each whitespace-delimited script token's spoken form: one output per input, "" when nothing is said.

    English gets the full treatment (numbers, money, dates, times, units, abbreviations, addresses,
    tags, symbols); other languages get numbers in words through num2words. Emoji are never spoken.
    """
    if not tokens:
        return []
    if not language.lower().startswith("en"):
        return [_normalize_generic(t, language.lower().split("-")[0].split("_")[0]) for t in tokens]
    return _English(list(tokens)).run()


def normalize_for_speech(text: str, language: str = "en") -> str:
    """`text` with every token in its spoken form, joined by single spaces (empty tokens dropped)."""
    return " ".join(t for t in normalize_tokens(text.split(), language) if t)


def display_token(token: str) -> str:
    """The token as shown in captions: emoji and control characters stripped; "" if nothing is left."""
    return strip_controls(strip_emoji(token)).strip()
