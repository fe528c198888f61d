"""pocketsphinx forced aligner: word timings for audio whose text is known (optional extra `align`)."""

from faceless.providers.pocketsphinx.aligner import PocketsphinxAligner, Segment
from faceless.providers.pocketsphinx.g2p import guess_pronunciation, ipa_to_arpabet

__all__ = ["PocketsphinxAligner", "Segment", "guess_pronunciation", "ipa_to_arpabet"]
