"""``draw_graph``: the computation graph behind a ``groundup.scalar.Value``, drawn.

With the ``graphviz`` Python package installed it returns a ``graphviz.Digraph`` (which a
notebook renders inline); otherwise, or with ``text=True``, a text tree: the output at the
top, each node's inputs indented below it, a node reached twice expanded only once.
"""

from __future__ import annotations

from typing import Any

__all__ = ["draw_graph"]


def draw_graph(root: Any, *, text: bool | None = None, rankdir: str = "LR") -> Any:
    """Draw the graph that computed ``root``: graphviz when installed, else a text tree.

    Parameters
    ----------
    root : Value
        The output whose inputs, and their inputs, are drawn.
    text : bool, optional
        True: always the text tree; False: graphviz (``ImportError`` without it);
        None (default): graphviz when importable, else the text tree.
    rankdir : {"LR", "TB"}, default "LR"
        Graphviz layout direction: left to right, or top to bottom.

    Returns
    -------
    graphviz.Digraph or str

    Examples
    --------
    >>> from groundup.scalar import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> print(draw_graph(c, text=True))
    +  data=-4  grad=1
    ├── *  data=-6  grad=1
    │   ├── a  data=2  grad=-2
    │   └── b  data=-3  grad=2
    └── a  (above)
    """
    if text is None:
        try:
            import graphviz  # noqa: F401
        except ImportError:
            text = True
    return text_tree(root) if text else _digraph(root, rankdir)


def _name(node: Any) -> str:
    """A node's label, its operation, or both: ``c (+)``."""
    if node.label and node._op:
        return f"{node.label} ({node._op})"
    return node.label or node._op or "value"


def _numbers(node: Any) -> str:
    return f"data={node.data:.4g}  grad={node.grad:.4g}"


def text_tree(root: Any) -> str:
    """The graph as an indented tree, output first; shared inputs are expanded once."""
    lines: list[str] = []
    seen: set[int] = set()
    stack: list[tuple[Any, str, str]] = [(root, "", "")]  # node, its prefix, its children's
    while stack:
        node, prefix, child_prefix = stack.pop()
        if id(node) in seen:
            lines.append(f"{prefix}{_name(node)}  (above)")
            continue
        seen.add(id(node))
        lines.append(f"{prefix}{_name(node)}  {_numbers(node)}")
        children = node._prev
        for i in reversed(range(len(children))):  # pushed in reverse: popped in order
            last = i == len(children) - 1
            branch, extend = ("└── ", "    ") if last else ("├── ", "│   ")
            stack.append((children[i], child_prefix + branch, child_prefix + extend))
    return "\n".join(lines)


def _digraph(root: Any, rankdir: str) -> Any:
    """A graphviz ``Digraph``: a record per Value, an oval per operation feeding it."""
    try:
        import graphviz
    except ImportError as e:
        raise ImportError("draw_graph(text=False) needs graphviz: pip install graphviz") from e
    from groundup.scalar import topological_order

    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": rankdir})
    for node in topological_order(root):
        uid = str(id(node))
        dot.node(uid, f"{{ {node.label or ' '} | {_numbers(node)} }}", shape="record")
        if node._op:
            dot.node(uid + node._op, node._op)
            dot.edge(uid + node._op, uid)
        for child in node._prev:
            dot.edge(str(id(child)), uid + node._op)
    return dot
