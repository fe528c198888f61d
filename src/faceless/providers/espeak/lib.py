"""Minimal ctypes binding of libespeak-ng (synchronous synthesis with word events).

espeak-ng keeps global state, so every call goes through `LOCK`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from functools import lru_cache

from faceless.domain.errors import ProviderError

LOCK = threading.RLock()

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_DONT_EXIT = 0x8000
POS_CHARACTER = 1
CHARS_UTF8 = 1
EVENT_LIST_TERMINATED = 0
EVENT_WORD = 1
EVENT_SENTENCE = 2
EVENT_END = 5
EVENT_MSG_TERMINATED = 6
PARAM_RATE = 1
EE_OK = 0


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class Event(ctypes.Structure):
    """`espeak_EVENT` from speak_lib.h."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # 1-based character position in the input
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),  # ms
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


class VoiceStruct(ctypes.Structure):
    """`espeak_VOICE` from speak_lib.h."""

    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),  # sequence of (priority byte, NUL-terminated language)
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


# int SynthCallback(short *wav, int numsamples, espeak_EVENT *events)
SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(Event)
)

LIB_NAMES = ("libespeak-ng.so.1", "libespeak-ng.so", "libespeak-ng.dylib", "libespeak-ng.dll")


@lru_cache(maxsize=1)
def library() -> tuple[ctypes.CDLL, int]:
    """The initialised library and its sample rate; `ProviderError` when it is not installed."""
    lib = None
    names = list(LIB_NAMES)
    found = ctypes.util.find_library("espeak-ng")
    if found:
        names.insert(0, found)
    for name in names:
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    if lib is None:
        raise ProviderError("espeak-ng library not found: install it (apt-get install espeak-ng)")
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetSynthCallback.argtypes = [SynthCallback]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.POINTER(ctypes.c_uint),
        ctypes.c_void_p,
    ]
    lib.espeak_Synth.restype = ctypes.c_int
    lib.espeak_Synchronize.restype = ctypes.c_int
    lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(VoiceStruct))
    with LOCK:
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, None, INITIALIZE_DONT_EXIT)
    if rate <= 0:
        raise ProviderError("espeak-ng failed to initialise: check that espeak-ng-data is installed")
    return lib, rate


def list_voices() -> list[tuple[str, str, str, int]]:
    """(name, identifier, first language, gender code) of every installed espeak-ng voice."""
    lib, _ = library()
    out = []
    with LOCK:
        arr = lib.espeak_ListVoices(None)
        i = 0
        while arr[i]:
            v = arr[i].contents
            # First entry: one priority byte then the NUL-terminated language name.
            raw = v.languages or b""
            lang = raw[1:].decode("utf-8", "replace")
            out.append(((v.name or b"").decode(), (v.identifier or b"").decode(), lang, int(v.gender)))
            i += 1
    return out
