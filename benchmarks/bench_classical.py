"""Classical-ML benchmark: groundup.ml against scikit-learn, side by side in one process.

Each case fits (or predicts with) both libraries on the same data with the same
hyperparameters, ``--repeats`` times each, alternating; the table gives the median time,
the ratio groundup / scikit-learn (below 1: groundup is faster), the target ratio and a
quality number for each library (test accuracy, R^2, inertia or explained variance), so
speed is never bought with a worse answer. Cases whose groundup estimator does not
import yet are listed as skipped.

Run: ``python benchmarks/bench_classical.py [--repeats 5] [--only knn]``.
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
    """One row: ``run(lib)`` does the timed work for "groundup" or "sklearn"; ``quality``
    turns its return value into the number shown."""

    name: str
    target: float | None  # the ratio target; None where it sets none
    run: Callable[[str], object]
    quality: Callable[[object], float]
    metric: str


def _split(X, y, test=0.25, seed=0):
    idx = np.random.RandomState(seed).permutation(len(X))
    cut = int(len(X) * (1 - test))
    return X[idx[:cut]], X[idx[cut:]], y[idx[:cut]], y[idx[cut:]]


def _standardise(Xtr, Xte):
    mu, sd = Xtr.mean(0), Xtr.std(0)
    sd[sd == 0] = 1.0
    return (Xtr - mu) / sd, (Xte - mu) / sd


def _digits(scale=True):
    from sklearn.datasets import load_digits

    Xtr, Xte, ytr, yte = _split(*load_digits(return_X_y=True))
    return (*_standardise(Xtr, Xte), ytr, yte) if scale else (Xtr, Xte, ytr, yte)


def _classification(n=20_000, d=20):
    from sklearn.datasets import make_classification

    return _split(*make_classification(n_samples=n, n_features=d, random_state=0))


def _regression(n=100_000, d=100):
    from sklearn.datasets import make_regression

    return _split(*make_regression(n_samples=n, n_features=d, noise=10.0, random_state=0))


def _accuracy(pair):
    model, (X, y) = pair
    return float(np.mean(model.predict(X) == y))


def _r2(pair):
    model, (X, y) = pair
    return float(model.score(X, y))


def fit_case(name, target, data, make, metric="accuracy") -> Case:
    """Time ``make(lib).fit(Xtr, ytr)``; quality on the held-out part."""
    Xtr, Xte, ytr, yte = data

    def run(lib):
        return make(lib).fit(Xtr, ytr), (Xte, yte)

    return Case(name, target, run, _accuracy if metric == "accuracy" else _r2, metric)


def predict_case(name, target, data, make, fit_too=False) -> Case:
    """Time ``predict`` of a model fitted outside the timing (or fit + predict)."""
    Xtr, Xte, ytr, yte = data
    fitted = {}

    def run(lib):
        if fit_too or lib not in fitted:
            fitted[lib] = make(lib).fit(Xtr, ytr)
        return fitted[lib].predict(Xte)

    return Case(name, target, run, lambda pred: float(np.mean(pred == yte)), "accuracy")


def _pick(lib, ours, theirs):
    """The groundup class from ``ours`` ("module:Name") or scikit-learn's from ``theirs``."""
    import importlib

    module, name = (ours if lib == "groundup" else theirs).split(":")
    return getattr(importlib.import_module(module), name)


def _est(ours, theirs, **params):
    return lambda lib: _pick(lib, ours, theirs)(**params)


def kmeans_case(name: str) -> Case:
    from sklearn.cluster import kmeans_plusplus
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(100_000, 20, centers=8, cluster_std=4.0, random_state=0)
    init, _ = kmeans_plusplus(X, 8, random_state=0)  # the same start for both
    make = _est("groundup.ml.cluster:KMeans", "sklearn.cluster:KMeans", init=init, n_init=1)
    return Case(name, 1.5, lambda lib: make(lib).fit(X), lambda m: m.inertia_, "inertia")


def pca_case(name: str) -> Case:
    rs = np.random.RandomState(0)
    X = rs.standard_normal((100_000, 50)) @ rs.standard_normal((50, 50))
    make = _est("groundup.ml.decomposition:PCA", "sklearn.decomposition:PCA", n_components=10)
    return Case(
        name,
        1.2,
        lambda lib: make(lib).fit(X),
        lambda m: float(m.explained_variance_ratio_.sum()),
        "explained variance",
    )


LM, SK_LM = "groundup.ml.linear_model", "sklearn.linear_model"
KNN = ("groundup.ml.neighbors:KNeighborsClassifier", "sklearn.neighbors:KNeighborsClassifier")
# name -> builder(name) -> Case; data is made only for the cases that run
CASES: dict[str, Callable[[str], Case]] = {
    "LogisticRegression fit, digits": lambda n: fit_case(n, 2.0, _digits(), _est(
        "groundup.ml.logistic:LogisticRegression", f"{SK_LM}:LogisticRegression", max_iter=1000)),
    "LinearRegression fit 100,000 x 100": lambda n: fit_case(n, 1.0, _regression(), _est(
        f"{LM}:LinearRegression", f"{SK_LM}:LinearRegression"), "r2"),
    "Ridge fit 100,000 x 100": lambda n: fit_case(n, 1.0, _regression(), _est(
        f"{LM}:Ridge", f"{SK_LM}:Ridge", alpha=1.0), "r2"),
    "KNN predict, digits (1347 fit, 450 queries)": lambda n: predict_case(
        n, 1.0, _digits(scale=False), _est(*KNN)),
    "KNN predict 20,000 x 20 (15,000 fit, 5,000 queries)": lambda n: predict_case(
        n, 1.0, _classification(), _est(*KNN)),
    "GaussianNB fit+predict 20,000 x 20": lambda n: predict_case(n, 1.0, _classification(), _est(
        "groundup.ml.naive_bayes:GaussianNB", "sklearn.naive_bayes:GaussianNB"), fit_too=True),
    "SVC(rbf) fit, digits": lambda n: fit_case(n, 2.0, _digits(), _est(
        "groundup.ml.svm:SVC", "sklearn.svm:SVC", kernel="rbf")),
    "LinearSVC fit, digits": lambda n: fit_case(n, 2.0, _digits(), _est(
        "groundup.ml.svm:LinearSVC", "sklearn.svm:LinearSVC")),
    "SGDClassifier fit 20,000 x 20": lambda n: fit_case(n, None, _classification(), _est(
        "groundup.ml.sgd:SGDClassifier", f"{SK_LM}:SGDClassifier", random_state=0)),
    "KMeans fit 100,000 x 20, k=8, same init": kmeans_case,
    "PCA fit 100,000 x 50, 10 components": pca_case,
}  # fmt: skip


COOL_DOWN_S = 0.2


def measure(case: Case, repeats: int) -> dict:
    """Median seconds and quality per library, the two timed alternately."""
    times: dict[str, list[float]] = {"groundup": [], "sklearn": []}
    out: dict[str, object] = {}
    for lib in times:  # warm-up: imports, first-call costs, the fitted models of predict cases
        case.run(lib)
    for _ in range(repeats):
        for lib in times:
            start = time.perf_counter()
            out[lib] = case.run(lib)
            times[lib].append(time.perf_counter() - start)
            # Cool down: scikit-learn's OpenMP threads spin for a while after a parallel
            # region and would steal the cores from whichever call is timed next.
            time.sleep(COOL_DOWN_S)
    row = {lib: statistics.median(t) for lib, t in times.items()}
    row.update({f"q_{lib}": case.quality(value) for lib, value in out.items()})
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    args = parser.parse_args()
    import sklearn
    from threadpoolctl import threadpool_info

    threads = {i["user_api"]: i["num_threads"] for i in threadpool_info()}
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, threads {threads}\n")
    header = ["case", "groundup (s)", "scikit-learn (s)", "ratio", "target", "quality"]
    print("| " + " | ".join(header + ["groundup", "scikit-learn"]) + " |")
    print("|---|---|---|---|---|---|---|---|")
    for name, build in CASES.items():
        if args.only.lower() not in name.lower():
            continue
        try:
            case = build(name)
            row = measure(case, args.repeats)
        except ImportError as err:  # a groundup estimator not written yet
            print(f"| {name} | skipped: {err} | | | | | | |")
            continue
        ratio = row["groundup"] / row["sklearn"]
        target = "none" if case.target is None else f"<= {case.target}"
        print(
            f"| {case.name} | {row['groundup']:.4f} | {row['sklearn']:.4f} | {ratio:.2f} "
            f"| {target} | {case.metric} | {row['q_groundup']:.6g} "
            f"| {row['q_sklearn']:.6g} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
