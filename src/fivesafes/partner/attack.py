"""A frequency-based pattern-mining attack on Bloom-filter encoded names (pure; tests and bench).

After Christen, Schnell, Vatsalan and Ranbaduge (2017/2018, "Efficient cryptanalysis of Bloom
filters for privacy-preserving record linkage"): the attacker holds the encoded names of a
population and a public list of names with their frequencies, but not the secret.

1. **Frequency alignment.** Identical encodings are counted; the ``seeds`` most frequent distinct
   encodings are assumed to be the ``seeds`` most frequent public names, rank for rank.
2. **Pattern mining.** For every q-gram of the seed names, the bit positions set in every seed
   encoding whose assumed name holds the q-gram, and in at most ``exclusion`` of those whose
   assumed name does not, are taken as that q-gram's positions.
3. **Re-identification.** In every encoding, a learned q-gram is *present* when all its
   positions are set; the guess is the public name whose learned q-grams best match the present
   ones (Jaccard; ties to the more frequent name). No present q-gram, no guess.

:func:`reidentified` counts how many of the ``top`` most frequent true names the attacker
re-identifies: a name counts when the guess is right for the majority of its records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fivesafes.partner.encoding import qgrams


@dataclass(frozen=True)
class AttackResult:
    top: int
    reidentified: int
    learned_qgrams: int
    distinct_encodings: int
    guesses: tuple[str | None, ...]  # one per encoded record


def _unpack(encodings: Sequence[bytes]) -> np.ndarray:
    return np.unpackbits(np.frombuffer(b"".join(encodings), dtype=np.uint8)).reshape(
        len(encodings), -1).astype(bool)


def attack(encodings: Sequence[bytes], public: Sequence[tuple[str, float]], *, q: int = 2,
           seeds: int = 40, exclusion: float = 0.1) -> tuple[list[str | None], int, int]:
    """Guesses (one per encoding), the number of q-grams learned, the distinct encodings."""
    counts = Counter(encodings)
    distinct = [e for e, _ in counts.most_common()]
    ranked = [name for name, _ in sorted(public, key=lambda p: -p[1])]
    names = [n.lower() for n in ranked]
    seed_count = min(seeds, len(distinct), len(names))
    seed_bits = _unpack(distinct[:seed_count])
    seed_grams = [set(qgrams(n, q)) for n in names[:seed_count]]
    learned: dict[str, np.ndarray] = {}
    for gram in sorted(set().union(*seed_grams)):
        has = np.array([gram in g for g in seed_grams])
        if not has.any():
            continue
        common = seed_bits[has].all(axis=0)
        if (~has).any():
            share = seed_bits[~has].mean(axis=0)
            common &= share <= exclusion
        positions = np.flatnonzero(common)
        if positions.size:
            learned[gram] = positions
    distinct_bits = _unpack(distinct)
    grams = sorted(learned)
    present = np.zeros((len(distinct), len(grams)), dtype=bool)
    for j, gram in enumerate(grams):
        present[:, j] = distinct_bits[:, learned[gram]].all(axis=1)
    index = {g: j for j, g in enumerate(grams)}
    name_grams = np.zeros((len(names), len(grams)), dtype=bool)
    for i, name in enumerate(names):
        for gram in qgrams(name, q):
            if gram in index:
                name_grams[i, index[gram]] = True
    inter = present.astype(np.int32) @ name_grams.T.astype(np.int32)
    union = present.sum(axis=1)[:, None] + name_grams.sum(axis=1)[None, :] - inter
    score = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    best = score.argmax(axis=1)  # argmax takes the first (most frequent) name on ties
    guess_of: dict[bytes, str | None] = {}
    for row, encoding in enumerate(distinct):
        guess_of[encoding] = ranked[best[row]] if present[row].any() and score[
            row, best[row]] > 0 else None
    return [guess_of[e] for e in encodings], len(grams), len(distinct)


def reidentified(encodings: Sequence[bytes], truth: Sequence[str],
                 public: Sequence[tuple[str, float]], *, top: int = 100, q: int = 2,
                 seeds: int = 40) -> AttackResult:
    """Run :func:`attack` and count the ``top`` most frequent true names it re-identifies."""
    guesses, learned, distinct = attack(encodings, public, q=q, seeds=seeds)
    by_name: dict[str, list[bool]] = {}
    for name, guess in zip(truth, guesses, strict=True):
        by_name.setdefault(name, []).append(guess == name)
    frequent = [name for name, _ in Counter(truth).most_common(top)]
    hits = sum(1 for name in frequent if sum(by_name[name]) * 2 > len(by_name[name]))
    return AttackResult(top, hits, learned, distinct, tuple(guesses))


def synthetic_population(size: int, seed: int = 17) -> tuple[list[str], list[int],
                                                             list[tuple[str, float]]]:
    """Surnames and birth years of ``size`` people drawn from the synthetic generator's name
    lists, and the attacker's public list (every name with its population frequency)."""
    from fivesafes.synth.names import ORIGINS, surname_table, surname_weights

    shares = {"anglo": 0.80}
    rest = (1.0 - shares["anglo"]) / (len(ORIGINS) - 1)
    names: list[str] = []
    weights: list[float] = []
    for origin in ORIGINS:
        table = surname_table(origin)
        for name, weight in zip(table, surname_weights(len(table)), strict=True):
            names.append(name.lower())
            weights.append(float(weight) * shares.get(origin, rest))
    probabilities = np.array(weights) / sum(weights)
    rng = np.random.default_rng(seed)
    drawn = rng.choice(len(names), size=size, p=probabilities)
    years = rng.integers(1950, 2006, size=size)
    public = list(zip(names, probabilities.tolist(), strict=True))
    return [names[i] for i in drawn], [int(y) for y in years], public
