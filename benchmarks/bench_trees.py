"""Tree benchmark: decision trees and random forests, groundup vs scikit-learn, side by side.

Both libraries fit the same data with the same hyperparameters in one process. Data:
``make_classification(n_samples, n_features=20, random_state=0)`` with n = 20,000 and
100,000 (regression: ``make_regression``), fitted on the first 80% and scored on the last
20%. The table gives the median fit time over ``--repeats``, the ratio groundup/sklearn
and each library's test accuracy (R² for regressors).

Gradient-boosting rows come from ``boosting_cases()`` in ``benchmarks/_bench_boosting.py``
when that file exists: it returns a list of :class:`Case`.

Run: ``python benchmarks/bench_trees.py [--repeats 3] [--only DecisionTree]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass
class Case:
    """One table row: data, two unfitted estimator factories, and how many repeats at most."""

    name: str
    data: Callable[[], tuple]  # () -> (X_train, y_train, X_test, y_test)
    groundup: Callable[[], object]
    sklearn: Callable[[], object]
    max_repeats: int = 99


_CACHE: dict = {}


def classification(n: int) -> Callable[[], tuple]:
    def load():
        if ("clf", n) not in _CACHE:
            from sklearn.datasets import make_classification

            X, y = make_classification(n_samples=n, n_features=20, random_state=0)
            cut = int(0.8 * n)
            _CACHE["clf", n] = (X[:cut], y[:cut], X[cut:], y[cut:])
        return _CACHE["clf", n]

    return load


def regression(n: int) -> Callable[[], tuple]:
    def load():
        if ("reg", n) not in _CACHE:
            from sklearn.datasets import make_regression

            X, y = make_regression(n_samples=n, n_features=20, noise=10.0, random_state=0)
            cut = int(0.8 * n)
            _CACHE["reg", n] = (X[:cut], y[:cut], X[cut:], y[cut:])
        return _CACHE["reg", n]

    return load


def tree_cases() -> list[Case]:
    from sklearn import ensemble, tree

    from groundup.ml import forest as gu_forest
    from groundup.ml import tree as gu_tree

    cases = []
    for n in (20_000, 100_000):
        k = f"{n // 1000}k"
        cases += [
            Case(
                f"DecisionTreeClassifier {k}x20",
                classification(n),
                lambda: gu_tree.DecisionTreeClassifier(random_state=0),
                lambda: tree.DecisionTreeClassifier(random_state=0),
            ),
            Case(
                f"DecisionTreeRegressor {k}x20",
                regression(n),
                lambda: gu_tree.DecisionTreeRegressor(random_state=0),
                lambda: tree.DecisionTreeRegressor(random_state=0),
            ),
            Case(
                f"RandomForestClassifier(100) {k}x20",
                classification(n),
                lambda: gu_forest.RandomForestClassifier(100, random_state=0),
                lambda: ensemble.RandomForestClassifier(100, random_state=0),
                max_repeats=3 if n < 100_000 else 1,
            ),
        ]
    return cases


def all_cases() -> list[Case]:
    cases = tree_cases()
    try:
        from _bench_boosting import boosting_cases
    except ImportError:
        return cases
    return cases + list(boosting_cases())


def timed_fit(make: Callable[[], object], data: tuple, repeats: int) -> tuple[float, float]:
    """Median seconds of ``fit`` over repeats, and the test score of the last fit."""
    Xtr, ytr, Xte, yte = data
    times = []
    for _ in range(repeats):
        est = make()
        start = time.perf_counter()
        est.fit(Xtr, ytr)
        times.append(time.perf_counter() - start)
    return statistics.median(times), float(est.score(Xte, yte))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="", help="run the rows whose name contains this")
    args = parser.parse_args()
    print("| case | groundup (s) | scikit-learn (s) | ratio | score groundup | score sklearn |")
    print("|---|---|---|---|---|---|")
    for case in all_cases():
        if args.only not in case.name:
            continue
        data = case.data()
        repeats = max(1, min(args.repeats, case.max_repeats))
        t_gu, s_gu = timed_fit(case.groundup, data, repeats)
        t_sk, s_sk = timed_fit(case.sklearn, data, repeats)
        print(
            f"| {case.name} | {t_gu:.3f} | {t_sk:.3f} | {t_gu / t_sk:.2f}x "
            f"| {s_gu:.4f} | {s_sk:.4f} |",
            flush=True,
        )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
