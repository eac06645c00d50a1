"""The generalisation lattice and a Flash-style search for its least-loss anonymous nodes.

A *node* gives every key a height: the index of a catalogue level of the field (0 is its finest
level), or one above its coarsest, meaning the field is left out. The search runs from the
requested heights (the bottom) to every key left out (the top). Generalising never splits a class,
so the property searched for (k-anonymity at the person level) is *monotone*: if a node meets it,
so does every node above it, and if a node fails, so does every node below it.

The search follows the idea of ARX's Flash (Kohlmayer et al., 2012): take the untagged nodes
bottom-up; from each, walk a path upwards through untagged nodes (cheapest first), binary-search
the path for its lowest anonymous node, and tag predictively: a node found anonymous tags everything
above it, one found not anonymous everything below it. Every node ends tagged, most without being
evaluated.

**Information loss** is the generalisation height measure (Sweeney's *precision*, taken as a
loss): the mean over keys of ``height / levels``, where ``levels`` is the number of the field's
catalogue levels, so leaving a field out costs 1 and the finest level 0. It is monotone along
the lattice, so the least-loss anonymous node is always one of the minimal anonymous nodes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Node = tuple[int, ...]

#: Lattices with more nodes than this are not searched (ask for fewer quasi-identifiers).
MAX_NODES = 50_000


def precision_loss(node: Node, levels: Sequence[int]) -> float:
    """Mean over keys of height / number of levels (withheld = 1)."""
    if not node:
        return 0.0
    return sum(h / n for h, n in zip(node, levels, strict=True)) / len(node)


@dataclass(frozen=True)
class Search:
    """What a search found: the anonymous nodes that have no anonymous node directly below
    them (``minimal``, least loss first), and how many of the ``nodes`` were evaluated."""

    nodes: int
    evaluated: int
    minimal: tuple[Node, ...]
    anonymous: frozenset[Node]


def _above(a: Node, b: Node) -> bool:
    return all(x >= y for x, y in zip(a, b, strict=True))


def search(bottom: Node, top: Node, meets: Callable[[Node], bool],
           loss: Callable[[Node], float]) -> Search:
    """Search the lattice between ``bottom`` and ``top`` (inclusive) with the monotone
    predicate ``meets``."""
    ranges = [range(b, t + 1) for b, t in zip(bottom, top, strict=True)]
    count = 1
    for r in ranges:
        count *= len(r)
    if count > MAX_NODES:
        raise ValueError(f"the lattice has {count} nodes (more than {MAX_NODES})")
    nodes = sorted(itertools.product(*ranges), key=lambda n: (sum(n), loss(n), n))
    yes: list[Node] = []  # evaluated, anonymous
    no: list[Node] = []  # evaluated, not anonymous
    status: dict[Node, bool] = {}
    evaluated = 0

    def known(node: Node) -> bool | None:
        if node in status:
            return status[node]
        if any(_above(node, y) for y in yes):
            status[node] = True
        elif any(_above(n, node) for n in no):
            status[node] = False
        return status.get(node)

    def check(node: Node) -> bool:
        nonlocal evaluated
        result = known(node)
        if result is None:
            evaluated += 1
            result = bool(meets(node))
            status[node] = result
            (yes if result else no).append(node)
        return result

    def successors(node: Node) -> list[Node]:
        out = []
        for i, h in enumerate(node):
            if h < top[i]:
                out.append(node[:i] + (h + 1,) + node[i + 1:])
        return sorted(out, key=lambda n: (loss(n), n))

    for start in nodes:
        if known(start) is not None:
            continue
        path = [start]
        while True:
            ahead = [s for s in successors(path[-1]) if known(s) is None]
            if not ahead:
                break
            path.append(ahead[0])
        low, high = 0, len(path) - 1
        while low <= high:
            mid = (low + high) // 2
            if check(path[mid]):
                high = mid - 1
            else:
                low = mid + 1
        for node in path:  # the binary search decided them all; make it explicit
            known(node)
    anonymous = frozenset(n for n in nodes if known(n))
    minimal = [n for n in anonymous
               if not any(n[:i] + (h - 1,) + n[i + 1:] in anonymous
                          for i, h in enumerate(n) if h > bottom[i])]
    minimal.sort(key=lambda n: (loss(n), sum(n), n))
    return Search(nodes=len(nodes), evaluated=evaluated, minimal=tuple(minimal),
                  anonymous=anonymous)
