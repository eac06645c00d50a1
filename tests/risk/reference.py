"""A plain-Python reference for the risk figures, written for clarity, not speed: the hypothesis
tests compare the DuckDB implementation against it."""

from __future__ import annotations

import math
from collections import Counter, defaultdict


def person_classes(datasets: list[list[tuple[str, tuple]]]) -> dict[str, tuple]:
    """Each person's class key: per dataset, the sorted distinct key tuples of their records
    (None when the person has no record there). ``datasets`` holds (person_id, keys) rows."""
    per: list[dict[str, list[tuple]]] = []
    for rows in datasets:
        grouped: dict[str, list[tuple]] = defaultdict(list)
        for person, keys in rows:
            grouped[person].append(keys)
        per.append(grouped)
    everyone = {p for grouped in per for p in grouped}
    return {p: tuple(tuple(sorted(set(g[p]), key=repr)) if p in g else None for g in per)
            for p in everyone}


def figures(keys: dict[str, tuple], records: Counter, k: int) -> dict[str, float]:
    sizes = Counter(keys.values())
    units = len(keys)
    smallest = min(sizes.values()) if sizes else 0
    below = [p for p, key in keys.items() if sizes[key] < k]
    return {
        "units": units, "classes": len(sizes), "k": smallest,
        "uniques": sum(1 for n in sizes.values() if n == 1),
        "below_k": len(below), "records_below_k": sum(records[p] for p in below),
        "max_risk": 1 / smallest if smallest else 0.0,
        "mean_risk": sum(1 / sizes[key] for key in keys.values()) / units if units else 0.0,
    }


def diversity(keys: dict[str, tuple], values: list[tuple[str, object]]) -> tuple[int, float]:
    """(distinct l, entropy l) of a sensitive field: ``values`` holds (person, value) per record."""
    per_class: dict[tuple, Counter] = defaultdict(Counter)
    for person, value in values:
        per_class[keys[person]][value] += 1
    distinct = min(len(c) for c in per_class.values())
    entropies = []
    for c in per_class.values():
        total = sum(c.values())
        entropies.append(-sum(n / total * math.log(n / total) for n in c.values()))
    return distinct, math.exp(min(entropies))
