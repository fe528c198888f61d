"""EncoderSettings: the libx264 options every segment shares."""

from __future__ import annotations

import pytest

from faceless.domain.errors import InputError
from faceless.render.encoding import EncoderSettings


def test_default_options_are_closed_gop_cfr_high() -> None:
    opts = EncoderSettings().video_options()
    pairs = dict(zip(opts[::2], opts[1::2], strict=True))
    assert pairs["-c:v"] == "libx264"
    assert pairs["-preset"] == "veryfast"
    assert pairs["-crf"] == "23"
    assert pairs["-profile:v"] == "high"
    assert pairs["-pix_fmt"] == "yuv420p"
    assert pairs["-g"] == "15" and pairs["-keyint_min"] == "15" and pairs["-bf"] == "2"
    assert pairs["-flags"] == "+cgop"
    assert pairs["-r"] == "30" and pairs["-fps_mode"] == "cfr"
    x264 = dict(p.split("=") for p in pairs["-x264-params"].split(":"))
    assert x264 == {"keyint": "15", "min-keyint": "15", "scenecut": "0", "open-gop": "0", "bframes": "2"}
    assert "-threads" not in opts


def test_threads_and_key() -> None:
    a, b = EncoderSettings(), EncoderSettings(threads=2)
    assert b.video_options()[-2:] == ["-threads", "2"]
    assert a.key() == EncoderSettings().key()
    assert a.key() != b.key() != EncoderSettings(crf=20).key()


@pytest.mark.parametrize(
    "kwargs",
    [{"preset": "turbo"}, {"crf": 60}, {"gop": 0}, {"bframes": 20}, {"profile": "high10"}, {"threads": -1}],
)
def test_bad_settings_raise_input_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(InputError):
        EncoderSettings(**kwargs)  # type: ignore[arg-type]
