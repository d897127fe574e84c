"""Reading a fitted tree: ``export_text`` (scikit-learn's text format) and ``plot_tree``.

Both walk the flat ``tree_`` arrays with an explicit stack, so deep trees do not hit
Python's recursion limit. ``plot_tree`` imports matplotlib (the ``plot`` extra) only
when called.

Examples
--------
>>> from groundup.ml.tree import DecisionTreeClassifier
>>> clf = DecisionTreeClassifier().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
>>> print(export_text(clf, feature_names=["x"]))
|--- x <= 1.50
|   |--- class: 0
|--- x >  1.50
|   |--- class: 1
<BLANKLINE>
"""

from __future__ import annotations

from typing import Any

import numpy as np

from groundup.ml.validation import check_is_fitted

__all__ = ["export_text", "plot_tree"]


def _subtree_depths(tree) -> np.ndarray:
    """Levels in the subtree under each node (a leaf: 1); children have larger ids."""
    depth = np.ones(tree.node_count, dtype=np.intp)
    for node in range(tree.node_count - 1, -1, -1):
        left = tree.children_left[node]
        if left != -1:
            depth[node] = 1 + max(depth[left], depth[tree.children_right[node]])
    return depth


def _feature_names(tree, feature_names) -> list[str]:
    if feature_names is None:
        return [f"feature_{i}" for i in range(tree.n_features)]
    if len(feature_names) != tree.n_features:
        raise ValueError(
            f"feature_names must contain {tree.n_features} elements, got {len(feature_names)}"
        )
    return [str(name) for name in feature_names]


def _leaf_text(model, node: int, class_names, show_weights: bool, decimals: int) -> str:
    tree = model.tree_
    value = tree.value[node, 0]
    if not hasattr(model, "classes_"):
        return " value: [" + ", ".join(f"{v:.{decimals}f}" for v in value) + "]"
    label = f" class: {class_names[int(np.argmax(value))]}"
    if not show_weights:
        return label
    weights = value * tree.weighted_n_node_samples[node]
    return " weights: [" + ", ".join(f"{v:.{decimals}f}" for v in weights) + "]" + label


def export_text(
    decision_tree: Any,
    *,
    feature_names: Any = None,
    class_names: Any = None,
    max_depth: int = 10,
    spacing: int = 3,
    decimals: int = 2,
    show_weights: bool = False,
) -> str:
    """The rules of a fitted tree as indented text, one test or leaf a line (sklearn's format).

    Parameters
    ----------
    decision_tree : DecisionTreeClassifier or DecisionTreeRegressor
    feature_names : list of str, optional
        Default ``feature_0, feature_1, ...``.
    class_names : list of str, optional
        Default ``classes_``.
    max_depth : int, default=10
        Deeper branches are summarised as "truncated branch of depth d".
    spacing : int, default=3
        Width of one indentation level.
    decimals : int, default=2
    show_weights : bool, default=False
        Print each classifier leaf's weighted class counts.

    Returns
    -------
    str

    Examples
    --------
    >>> from groundup.ml.tree import DecisionTreeRegressor
    >>> reg = DecisionTreeRegressor(max_depth=1).fit([[0.0], [1.0], [2.0]], [1.0, 1.0, 4.0])
    >>> print(export_text(reg), end="")
    |--- feature_0 <= 1.50
    |   |--- value: [1.00]
    |--- feature_0 >  1.50
    |   |--- value: [4.00]
    """
    check_is_fitted(decision_tree, "tree_")
    if max_depth < 0 or spacing <= 0 or decimals < 0:
        raise ValueError("export_text: max_depth and decimals must be >= 0, spacing > 0")
    tree = decision_tree.tree_
    names = _feature_names(tree, feature_names)
    if class_names is None:
        class_names = getattr(decision_tree, "classes_", None)
    heights = _subtree_depths(tree)
    lines: list[str] = []
    stack: list[tuple[int, int | str]] = [(1, 0)]  # (depth, node id) or (depth, line)
    while stack:
        depth, item = stack.pop()
        indent = (("|" + " " * spacing) * depth)[:-spacing] + "-" * spacing
        if isinstance(item, str):
            lines.append(f"{indent} {item}")
            continue
        node = int(item)
        if depth > max_depth + 1 and heights[node] > 1:
            lines.append(f"{indent} truncated branch of depth {heights[node]}")
        elif tree.children_left[node] == -1 or depth > max_depth + 1:
            lines.append(
                indent + _leaf_text(decision_tree, node, class_names, show_weights, decimals)
            )
        else:
            name, threshold = names[tree.feature[node]], f"{tree.threshold[node]:.{decimals}f}"
            stack += [
                (depth + 1, tree.children_right[node]),
                (depth, f"{name} >  {threshold}"),
                (depth + 1, tree.children_left[node]),
                (depth, f"{name} <= {threshold}"),
            ]
    return "\n".join(lines) + "\n"


def _node_label(model, node: int, names: list[str], decimals: int) -> str:
    tree = model.tree_
    lines = []
    if tree.children_left[node] != -1:
        lines.append(f"{names[tree.feature[node]]} <= {tree.threshold[node]:.{decimals}f}")
    lines.append(f"impurity = {tree.impurity[node]:.{decimals}f}")
    lines.append(f"samples = {tree.n_node_samples[node]}")
    value = np.round(tree.value[node, 0], decimals)
    lines.append(f"value = {value.tolist() if len(value) > 1 else value[0]}")
    if hasattr(model, "classes_"):
        lines.append(f"class = {model.classes_[int(np.argmax(tree.value[node, 0]))]}")
    return "\n".join(lines)


def _layout(tree) -> tuple[np.ndarray, np.ndarray]:
    """x: each leaf one slot left to right, a parent centred over its children; y: -depth."""
    x, y = np.zeros(tree.node_count), np.zeros(tree.node_count)
    slot, order, stack = 0, [], [(0, 0)]
    while stack:  # preorder, left first: leaves come out left to right
        node, depth = stack.pop()
        y[node] = -depth
        order.append(node)
        if tree.children_left[node] == -1:
            x[node], slot = slot, slot + 1
        else:
            stack += [(tree.children_right[node], depth + 1), (tree.children_left[node], depth + 1)]
    for node in reversed(order):  # children before parents
        if tree.children_left[node] != -1:
            x[node] = (x[tree.children_left[node]] + x[tree.children_right[node]]) / 2
    return x, y


def plot_tree(
    decision_tree: Any,
    *,
    feature_names: Any = None,
    ax: Any = None,
    fontsize: float | None = None,
    decimals: int = 3,
) -> list:
    """Draw a fitted tree with matplotlib: one box per node (test, impurity, samples, value).

    Returns the list of matplotlib text annotations, as scikit-learn does.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from groundup.ml.tree import DecisionTreeClassifier
    >>> clf = DecisionTreeClassifier().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    >>> len(plot_tree(clf))
    3
    """
    import matplotlib.pyplot as plt

    check_is_fitted(decision_tree, "tree_")
    tree = decision_tree.tree_
    names = _feature_names(tree, feature_names)
    ax = plt.gca() if ax is None else ax
    x, y = _layout(tree)
    inner = np.flatnonzero(tree.children_left != -1)
    for child in (tree.children_left[inner], tree.children_right[inner]):
        for parent, kid in zip(inner, child):
            ax.plot([x[parent], x[kid]], [y[parent], y[kid]], color="0.5", lw=1, zorder=1)
    box = {"boxstyle": "round", "fc": "white", "ec": "0.3"}
    texts = [
        ax.text(
            x[i],
            y[i],
            _node_label(decision_tree, i, names, decimals),
            ha="center",
            va="center",
            fontsize=fontsize,
            bbox=box,
            zorder=2,
        )
        for i in range(tree.node_count)
    ]
    ax.set_xlim(x.min() - 1, x.max() + 1)
    ax.set_ylim(y.min() - 0.5, 0.5)
    ax.set_axis_off()
    return texts
