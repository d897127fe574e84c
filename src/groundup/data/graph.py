"""Cora: the citation graph of 2,708 machine-learning papers, the small GNN benchmark."""

from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np

from groundup.data._download import fetch, read_bytes

__all__ = ["CORA_URL", "CoraGraph", "load_cora"]

CORA_URL = "https://raw.githubusercontent.com/tkipf/pygcn/master/data/cora/"
"""Default location of ``cora.content`` and ``cora.cites`` (the copies in Kipf's pygcn)."""


class CoraGraph(NamedTuple):
    """Cora as arrays, nodes in the order of ``cora.content``.

    Attributes
    ----------
    features : ndarray of shape (n_nodes, n_words), float32
        Bag-of-words presence, 0 or 1 (not normalised).
    labels : ndarray of shape (n_nodes,), int64
        Class ids, indices into ``class_names``.
    edges : ndarray of shape (n_edges, 2), int64
        One row per line of ``cora.cites``, as node indices, in the file's order
        ``(cited, citing)``: the citation runs from ``edges[i, 1]`` to ``edges[i, 0]``
        (the layout pygcn reads). Directed as stored; most GCNs add the reverse edges.
    class_names : tuple of str
        The class names, sorted, so that ``labels`` do not depend on the file's order.
    paper_ids : ndarray of shape (n_nodes,), int64
        The papers' ids in the original files.

    Examples
    --------
    >>> features, labels, edges, class_names, paper_ids = load_cora()  # doctest: +SKIP
    >>> undirected = np.concatenate([edges, edges[:, ::-1]])  # doctest: +SKIP
    """

    features: np.ndarray
    labels: np.ndarray
    edges: np.ndarray
    class_names: tuple[str, ...]
    paper_ids: np.ndarray


def _parse_content(text: str, where: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lines ``<paper id>\\t<0/1>\\t...\\t<0/1>\\t<class>`` -> ids, (N, D) features, names."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise ValueError(f"load_cora: {where} is empty")
    ids, words, names = [], [], []
    for i, line in enumerate(lines):
        parts = line.split("\t", 1)
        rest = parts[-1].rsplit("\t", 1)
        if len(parts) != 2 or len(rest) != 2:
            raise ValueError(
                f"load_cora: line {i + 1} of {where} has fewer than 3 tab-separated fields; "
                f"truncated or corrupt file?"
            )
        ids.append(parts[0])
        words.append(rest[0])
        names.append(rest[1])
    width = len(words[0])  # "0\t1\t...\t0": 2 * D - 1 characters
    bad = [i for i, w in enumerate(words) if len(w) != width]
    if bad:
        raise ValueError(
            f"load_cora: line {bad[0] + 1} of {where} has a different number of word fields "
            f"than line 1 ({(width + 1) // 2}); truncated or corrupt file?"
        )
    chars = np.frombuffer("".join(words).encode("ascii", "replace"), dtype=np.uint8)
    chars = chars.reshape(len(words), width)
    digits, tabs = chars[:, ::2], chars[:, 1::2]
    if not ((digits == ord("0")) | (digits == ord("1"))).all() or not (tabs == ord("\t")).all():
        raise ValueError(f"load_cora: {where} has word fields other than 0 and 1")
    try:
        paper_ids = np.array(ids, dtype=np.int64)
    except ValueError as e:
        raise ValueError(f"load_cora: {where} has a paper id that is not an integer ({e})") from e
    if len(np.unique(paper_ids)) != len(paper_ids):
        raise ValueError(f"load_cora: {where} lists a paper id twice")
    return paper_ids, (digits - ord("0")).astype(np.float32), np.array(names)


def _parse_cites(text: str, paper_ids: np.ndarray, where: str) -> np.ndarray:
    """Lines ``<cited id>\\t<citing id>`` -> (E, 2) node indices (positions in paper_ids)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    fields = [line.split("\t") for line in lines]
    bad = [i for i, f in enumerate(fields) if len(f) != 2]
    if bad:
        raise ValueError(
            f"load_cora: line {bad[0] + 1} of {where} is not two tab-separated paper ids; "
            f"truncated or corrupt file?"
        )
    try:
        pairs = np.array(fields, dtype=np.int64).reshape(-1, 2)
    except ValueError as e:
        raise ValueError(f"load_cora: {where} has a paper id that is not an integer ({e})") from e
    order = np.argsort(paper_ids)
    pos = np.searchsorted(paper_ids, pairs, sorter=order).clip(max=len(paper_ids) - 1)
    nodes = order[pos]
    unknown = paper_ids[nodes] != pairs
    if unknown.any():
        raise ValueError(
            f"load_cora: {where} cites paper {pairs[unknown][0]}, which cora.content lacks"
        )
    return nodes


def load_cora(
    root: str | os.PathLike | None = None,
    download: bool = True,
    *,
    url: str | None = None,
) -> CoraGraph:
    """Load Cora: 2,708 papers, 1,433 binary word features, 7 classes, 5,429 citations.

    Reads ``cora.content`` (``<paper id>\\t<1,433 0/1 fields>\\t<class>`` per line) and
    ``cora.cites`` (``<cited id>\\t<citing id>`` per line), each plain or gzipped
    (``cora.content.gz``); the checksums are of the plain text.

    Parameters
    ----------
    root : str or os.PathLike, optional
        Folder holding the two files. Default: ``$GROUNDUP_DATA/cora`` when that variable is
        set, else the cache ``$GROUNDUP_CACHE/cora`` (``~/.cache/groundup/cora``).
    download : bool, default=True
        Download missing files into ``root`` or the cache (never into ``GROUNDUP_DATA``: a
        file missing there raises).
    url : str, optional
        Base URL of a mirror; default ``$GROUNDUP_CORA_URL``, else :data:`CORA_URL`.

    Returns
    -------
    CoraGraph
        A named tuple ``(features, labels, edges, class_names, paper_ids)``; see
        :class:`CoraGraph`. Class ids follow the sorted class names: 0 ``Case_Based``,
        1 ``Genetic_Algorithms``, ..., 6 ``Theory``.

    Raises
    ------
    FileNotFoundError, ChecksumError, OSError
        As for :func:`groundup.data.load_mnist`.
    ValueError
        A file is not in Cora's format, or cites a paper that ``cora.content`` lacks.

    Examples
    --------
    >>> cora = load_cora()  # doctest: +SKIP
    >>> cora.features.shape, cora.edges.shape, cora.class_names[cora.labels[0]]  # doctest: +SKIP
    ((2708, 1433), (5429, 2), 'Neural_Networks')
    """
    base = url or os.environ.get("GROUNDUP_CORA_URL") or CORA_URL
    paths = fetch("load_cora", "cora", root, download, base)
    content = read_bytes(paths["cora.content"], "cora.content").decode("utf-8")
    cites = read_bytes(paths["cora.cites"], "cora.cites").decode("utf-8")
    paper_ids, features, names = _parse_content(content, str(paths["cora.content"]))
    edges = _parse_cites(cites, paper_ids, str(paths["cora.cites"]))
    class_names, labels = np.unique(names, return_inverse=True)
    return CoraGraph(
        features=features,
        labels=labels.astype(np.int64),
        edges=edges,
        class_names=tuple(str(c) for c in class_names),
        paper_ids=paper_ids,
    )
