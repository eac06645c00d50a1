"""The frequency attack re-identifies many plain encodings and (almost) no hardened ones."""

import numpy as np

from fivesafes.partner.attack import reidentified, synthetic_population
from fivesafes.partner.encoding import Encoder, EncodingParameters

SECRET = bytes(range(32))


def _figure(params: EncodingParameters) -> int:
    names, years, public = synthetic_population(20000)
    enc = Encoder(SECRET, params, rng=np.random.default_rng(1))
    codes = [enc.bloom("surname", n, str(y) if params.salt_field else "")
             for n, y in zip(names, years, strict=True)]
    return reidentified(codes, names, public).reidentified


def test_plain_encodings_fall_to_the_attack() -> None:
    assert _figure(EncodingParameters.plain()) >= 10


def test_hardened_encodings_resist_the_attack() -> None:
    assert _figure(EncodingParameters()) < 5
