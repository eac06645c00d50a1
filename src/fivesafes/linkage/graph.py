"""Groups of linked records: a union-find root for the rules that join groups one link at a time,
and connected components of numbered records in one pass (scipy) for whole tables of links."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["component_labels", "find_root"]


def find_root(parent: dict[str, str], node: str) -> str:
    """The root of ``node`` in the union-find forest ``parent``, compressing the path."""
    root = node
    while parent[root] != root:
        root = parent[root]
    while parent[node] != root:
        parent[node], node = root, parent[node]
    return root


def component_labels(size: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The component of each of ``size`` records numbered from 0, linked ``left[i]`` to
    ``right[i]``; component numbers are arbitrary."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    left, right = left.astype(np.int64), right.astype(np.int64)
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(size, size))
    return connected_components(graph, directed=False)[1]
