"""Cheap keyword extraction for media search: names and content words, ranked, no NLP model."""

from __future__ import annotations

import re
from collections import Counter

# English function words and vague verbs/adverbs that make poor search terms.
STOPWORDS = frozenset(
    """
    a about above across after afterwards again against all almost alone along already also although always
    am among amongst an and another any anyhow anyone anything anyway anywhere are around as at back be became
    because become becomes becoming been before beforehand behind being below beside besides between beyond
    both but by can cannot could did do does doing done down due during each either else elsewhere enough
    even ever every everyone everything everywhere except few first for former formerly from further get gets
    getting give given gives go goes going gone got had has have having he hence her here hereafter hereby
    herein hers herself him himself his how however i if in indeed into is it its itself just keep kept
    last latter least less let lets like likely made make makes making many may maybe me meanwhile might
    mine more moreover most mostly much must my myself namely neither never nevertheless next no nobody none
    nor not nothing now nowhere of off often on once one only onto or other others otherwise our ours
    ourselves out over own per perhaps please put quite rather really said same say says see seem seemed
    seeming seems several she should show shows since so some somehow someone something sometime sometimes
    somewhere still such take takes taken than that the their theirs them themselves then thence there
    thereafter thereby therefore therein thereupon these they thing things this those though through
    throughout thus to together too toward towards under until up upon us use used uses using very via was
    we well were what whatever when whence whenever where whereas whereby wherein whereupon wherever whether
    which while who whoever whole whom whose why will with within without would yet you your yours yourself
    yourselves also actually basically simply literally today tomorrow yesterday way ways lot lots kind
    sort new old good bad great big small little want wants need needs know knows think thinks look looks
    come comes came went tell told call called find found try tried mean means two three four five six seven
    eight nine ten hundred thousand million billion year years time times day days people person man woman
    second third fourth fifth sixth seventh eighth ninth tenth half
    able around ago almost okay ok yes yeah hey hello hi oh wow let's it's that's there's here's don't
    doesn't didn't can't won't isn't aren't wasn't weren't i'm you're we're they're i've you've we've
    they've i'll you'll we'll they'll i'd you'd he's she's what's who's
    """.split()
)

_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…。！？]['\"”’)\]]*$")
_NOUNISH = ("tion", "sion", "ment", "ness", "ity", "ism", "ist", "ance", "ence", "ship", "hood", "ure", "ogy")
_ADVERBISH = ("ly",)
# Word-order hints without a tagger: after a determiner or preposition comes a noun (or its adjective);
# after a subject pronoun or a modal comes a verb.
_BEFORE_NOUN = frozenset(
    "the a an their its his her our my your this these those each every some of with from into about "
    "for in on at by".split()
)
_BEFORE_VERB = frozenset("they we you he she it i can could will would may might must should to".split())


class _Word:
    __slots__ = ("text", "capital", "initial")

    def __init__(self, text: str, capital: bool, initial: bool) -> None:
        self.text, self.capital, self.initial = text, capital, initial


def _words(text: str) -> list[_Word]:
    """Words with whether they are capitalised and whether they start a sentence."""
    out: list[_Word] = []
    initial = True
    for raw in text.split():
        for m in _WORD.finditer(raw):
            w = m.group(0).replace("’", "'").strip("'-")
            if w:
                out.append(_Word(w, w[0].isupper(), initial))
                initial = False
        if _SENTENCE_END.search(raw) or raw.endswith(":"):
            initial = True
    return out


def _stem(word: str) -> str:
    """Crude singular form, only to merge 'heart'/'hearts' and 'octopus'/'octopuses'."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ses", "xes", "zes", "ches", "shes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def extract_keywords(text: str, k: int = 4) -> list[str]:
    """Up to `k` content words/phrases of `text`, best first, for media search.

    Capitalised runs inside sentences count as names ("Marie Curie") and keep their case; other words are
    lower-cased. Ranked by frequency, length, a noun-like suffix and being a name; stopwords, numbers and
    near-duplicates (plural forms, words inside a chosen name) are dropped.
    """
    if k <= 0:
        return []
    words = _words(text)
    # Words seen capitalised mid-sentence are names wherever they appear, even at a sentence start.
    known = {w.text.lower() for w in words if w.capital and not w.initial and w.text.lower() not in STOPWORDS}
    scores: Counter[str] = Counter()
    display: dict[str, str] = {}
    first_seen: dict[str, int] = {}

    def add(key: str, shown: str, weight: float, pos: int) -> None:
        scores[key] += weight
        display.setdefault(key, shown)  # the form seen first ("octopuses" if that is what the text says)
        first_seen.setdefault(key, pos)

    i = 0
    while i < len(words):
        tail = words[i].text[1:]
        if words[i].capital or tail != tail.lower():
            j = i
            while j < len(words) and words[j].capital and (j == i or not words[j].initial):
                j += 1
            run = words[i:j]
            # Drop a sentence-initial "In"/"The" and trailing function words; keep "New York".
            while run and run[0].text.lower() in STOPWORDS and (run[0].initial or len(run) == 1):
                run = run[1:]
            while run and run[-1].text.lower() in STOPWORDS:
                run = run[:-1]
            single_ok = len(run) == 1 and (
                not run[0].initial
                or run[0].text.lower() in known
                or run[0].text[1:] != run[0].text[1:].lower()  # "NASA", "SpaceX"
            )
            if len(run) > 1 and len(run) <= 4 or single_ok:
                phrase = " ".join(w.text for w in run)
                add(phrase.lower(), phrase, 2.0 + 0.5 * len(run), i)
                i = j
                continue
        w = words[i]
        low = w.text.lower()
        i += 1
        if low in STOPWORDS or len(low) < 3:
            continue
        weight = 1.0 + min(len(low), 12) / 12
        before = words[i - 2].text.lower() if i >= 2 and not w.initial else ""
        if before in _BEFORE_NOUN or low.endswith(_NOUNISH):
            weight += 0.5  # "the gills", "of neurons", "information"
        elif before in _BEFORE_VERB or low.endswith(_ADVERBISH) or (low.endswith("ing") and len(low) < 7):
            weight -= 0.6  # "they prefer", "can taste", "quickly"
        add(_stem(low), low, weight, i - 1)
    # A lone surname's mentions count for the full name it belongs to ("Curie" → "Marie Curie").
    phrases = [key for key in scores if " " in key]
    for key in [key for key in scores if " " not in key]:
        owner = next((p for p in phrases if key in p.split()), None)
        if owner:
            scores[owner] += scores.pop(key)
    ranked = sorted(scores, key=lambda key: (-scores[key], first_seen[key]))
    out: list[str] = []
    taken: set[str] = set()
    for key in ranked:
        parts = set(key.split())
        if key in taken or parts & taken and " " not in key:
            continue
        out.append(display[key])
        taken |= parts | {key}
        if len(out) == k:
            break
    return out


# Words that cannot open or close a card phrase (function words); content-like stopwords ("own",
# "three", "new") can. Inside a phrase only the glue words are allowed ("cluster of neurons").
_EDGE = frozenset(
    """a an the and or but nor so yet of to in on at by for with from into onto about as than
then that this these those it its it's they them their there here he she him his her we us our you your i me my
is are was were be been being am has have had do does did can could will would may might must should shall
not no if when while which who whom whose what where why how because although though since until unless
also just very really even still only each every some any all both either neither such""".split()
)
_GLUE = frozenset("of and the a an in on at for with to or is are was were has have can".split())
_CLAUSE_END = re.compile(r"[.!?…,;:—–)\]]['\"”’)\]]*$")


def key_phrase(text: str, keywords: list[str], max_words: int = 4) -> str:
    """The short run of the narration (1-`max_words` words) that best carries its keywords, for a
    title card: "Octopuses are colour-blind" reads better than "FRACTION COLOUR-BLIND OCTOPUSES".

    Spans never cross punctuation, never start or end on a function word and contain no pronouns;
    they score by the keywords they cover (best-ranked first), a little for being 2+ words and
    less for every extra word. Falls back to the first keywords.
    """
    toks: list[tuple[str, bool]] = []  # (word, ends a clause)
    for raw in text.split():
        found = [m.group(0).replace("’", "'").strip("'-") for m in _WORD.finditer(raw)]
        found = [w for w in found if w]
        for k, w in enumerate(found):
            toks.append((w, k == len(found) - 1 and bool(_CLAUSE_END.search(raw))))
    weights: dict[str, float] = {}
    for rank, kw in enumerate(keywords[:6]):
        for part in kw.split():
            weights.setdefault(_stem(part), 1.0 - 0.15 * rank)
    best: list[str] = []
    best_score = 0.0
    for i in range(len(toks)):
        for j in range(i + 1, min(len(toks), i + max_words) + 1):
            span = toks[i:j]
            if any(end for _, end in span[:-1]):
                break
            words = [w for w, _ in span]
            lows = [w.lower() for w in words]
            if (
                lows[0] in _EDGE
                or lows[-1] in _EDGE
                or any(w in _EDGE and w not in _GLUE for w in lows[1:-1])
            ):
                continue
            covered = {_stem(w) for w in words} & weights.keys()
            if not covered:
                continue
            stops = sum(1 for w in lows if w in STOPWORDS and _stem(w) not in weights)
            score = sum(weights[c] for c in covered) - 0.3 * max(0, stops - 1) - 0.12 * len(words)
            score += 0.25 if len(words) > 1 else 0.0
            if score > best_score + 1e-9:
                best, best_score = words, score
    return " ".join(best) if best else " ".join(keywords[:3])
