"""Spoken forms of script tokens: the normalisation table, context rules and hostile input."""

from __future__ import annotations

import pytest

from faceless.text.normalize import display_token, normalize_for_speech, normalize_tokens

# (script text, spoken text) — the normaliser works token by token, so compare whole phrases.
TABLE = [
    ("In 1998, Dr. Smith paid $5,000.", "In nineteen ninety-eight, Doctor Smith paid five thousand dollars."),
    ("2000 people came", "two thousand people came"),
    ("since 1905", "since nineteen oh-five"),
    ("It was 2024.", "It was twenty twenty-four."),
    ("the 1st and 22nd and 103rd", "the first and twenty-second and one hundred and third"),
    ("pi is 3.14", "pi is three point one four"),
    ("it fell to -5 or −2.5", "it fell to minus five or minus two point five"),
    ("10,000 steps", "ten thousand steps"),
    ("only .75 left", "only point seven five left"),
    ("agent 007", "agent zero zero seven"),
    ("$5", "five dollars"),
    ("$1", "one dollar"),
    ("$5.99", "five dollars and ninety-nine cents"),
    ("$0.99", "ninety-nine cents"),
    ("€20", "twenty euros"),
    ("£3.20", "three pounds and twenty pence"),
    ("£3m", "three million pounds"),
    ("$1.5M", "one point five million dollars"),
    ("$5 million", "five million dollars"),
    ("$2.5 billion.", "two point five billion dollars."),
    ("50%", "fifty percent"),
    ("3.5% growth", "three point five percent growth"),
    ("10–15%", "ten to fifteen percent"),
    ("Jan. 5, 2024", "January fifth, twenty twenty-four"),
    ("on 5 January 2024", "on the fifth of January twenty twenty-four"),
    ("2024-01-05", "January fifth, twenty twenty-four"),
    ("5/1/2024", "May first, twenty twenty-four"),
    ("3:30pm", "three thirty p m"),
    ("at 3:05", "at three oh five"),
    ("at 3:00", "at three o'clock"),
    ("at 15:00", "at fifteen hundred"),
    ("5 pm", "five p m"),
    ("7 p.m. Then", "seven p m. Then"),
    ("10:30 AM", "ten thirty a m"),
    ("Mr. Jones and Mrs. Lee", "Mister Jones and Missus Lee"),
    ("Prof. Ada", "Professor Ada"),
    ("St. Louis", "Saint Louis"),
    ("on Main St. Then", "on Main Street. Then"),
    ("apples, pears, etc. Then", "apples, pears, et cetera. Then"),
    ("fruit, e.g. apples", "fruit, for example apples"),
    ("one, i.e. this", "one, that is this"),
    ("cats vs. dogs", "cats versus dogs"),
    ("approx. 5", "approximately five"),
    ("No. 5", "number five"),
    ("5km", "five kilometers"),
    ("1km", "one kilometer"),
    ("10kg", "ten kilograms"),
    ("5 km", "five kilometers"),
    ("-5°C", "minus five degrees Celsius"),
    ("10x faster", "ten times faster"),
    ("1.5GB", "one point five gigabytes"),
    ("example.com/x", "example dot com slash x"),
    ("https://www.example.org/a-b?q=1", "w w w dot example dot org slash a dash b"),
    ("jane@example.com", "jane at example dot com"),
    ("#ThrowbackThursday", "hashtag Throwback Thursday"),
    ("#1", "number one"),
    ("@jane_doe", "at jane doe"),
    ("salt & pepper", "salt and pepper"),
    ("1 + 1 = 2", "one plus one equals two"),
    ("R&D", "R and D"),
    ("COVID-19", "COVID nineteen"),
    ("1/2 and 3/4", "one half and three quarters"),
    ("24/7", "twenty-four seven"),
    ("the '90s", "the nineties"),
    ("the 1990s", "the nineteen nineties"),
    ("from 1990-2000", "from nineteen ninety to two thousand"),
    ('"$5," she said', '"five dollars," she said'),
    ("(in 2024).", "(in twenty twenty-four)."),
    ("fun 🚀🔥 great👍🏽!", "fun great!"),
    ("Wait... what?!", "Wait... what?!"),
    ("I am.", "I am."),
    ("said No. Yes.", "said No. Yes."),
]


@pytest.mark.parametrize(("text", "spoken"), TABLE)
def test_normalisation_table(text: str, spoken: str) -> None:
    assert normalize_for_speech(text) == spoken


def test_one_output_per_token_in_order() -> None:
    tokens = "In 1998, Dr. Smith paid $5,000 for a well-known octopus! 🚀 — … $5 million".split()
    out = normalize_tokens(tokens)
    assert len(out) == len(tokens)
    assert out[0] == "In" and out[-2] == "five" and out[-1] == "million dollars"
    assert out[tokens.index("🚀")] == ""  # emoji: nothing spoken
    assert out[tokens.index("—")] == ","  # a dash is a pause, never the word "dash"


def test_sentence_punctuation_stays_on_spoken_form() -> None:
    out = normalize_tokens(["2024.", "$5!", "50%?", "3:30pm,", "🚀."])
    assert out == ["twenty twenty-four.", "five dollars!", "fifty percent?", "three thirty p m,", "."]


@pytest.mark.parametrize(
    "token",
    ["", "🚀", "👨‍👩‍👧", "🇬🇧", "\u200b", "\x00", "***", "|", "•", '"', "(", "\u202e"],
)
def test_unspeakable_tokens_become_empty(token: str) -> None:
    assert normalize_tokens([token]) == [""]


@pytest.mark.parametrize(
    "token",
    ["café", "naïve", "Zürich", "日本語", "C:\\Users\\me", "%{name}", "“quoted”", "l'été", "x" * 5000],
)
def test_hostile_tokens_never_crash_and_keep_letters(token: str) -> None:
    (out,) = normalize_tokens([token])
    letters = [c for c in token if c.isalpha()]
    assert all(c in out for c in letters)


def test_huge_and_odd_numbers() -> None:
    assert normalize_for_speech("9" * 40) == " ".join(["nine"] * 40)  # read digit by digit
    assert (
        normalize_for_speech("1,234,567")
        == "one million, two hundred and thirty-four thousand, five hundred and sixty-seven"
    )
    assert normalize_for_speech("٣") == "three"  # Arabic-Indic digit


def test_other_language_numbers() -> None:
    assert normalize_tokens(["Il", "a", "5", "chats."], language="fr") == ["Il", "a", "cinq", "chats."]
    assert normalize_tokens(["1998"], language="de-DE") == ["eintausendneunhundertachtundneunzig"]
    assert normalize_tokens(["🚀"], language="fr") == [""]


def test_display_token() -> None:
    assert display_token("great👍🏽!") == "great!"
    assert display_token("🚀") == ""
    assert display_token("a\u200bb\x07") == "ab"
    assert display_token("$5,000") == "$5,000"
    assert display_token("café") == "café"
