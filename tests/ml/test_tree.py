"""Decision trees against scikit-learn: same trees on untied data, same accuracy on real data."""

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from ml_checks import UNFITTED  # noqa: E402
from sklearn import tree as sktree  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_wine,
    make_classification,
    make_regression,
)
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from groundup.ml.tree import DecisionTreeClassifier, DecisionTreeRegressor  # noqa: E402
from groundup.ml.tree_export import export_text, plot_tree  # noqa: E402

EXPECTED_FAILED_CHECKS: dict = {
    name: {"check_estimators_unfitted": UNFITTED}
    for name in ("DecisionTreeClassifier", "DecisionTreeRegressor")
}


@parametrize_with_checks(
    [DecisionTreeClassifier(), DecisionTreeRegressor()],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)


def preorder(tree) -> list:
    """(feature, threshold, n, weighted n, impurity, value) of each node, root first, left first.

    Node numbering differs (we grow breadth-first), so trees are compared in this order.
    """
    out, stack = [], [0]
    while stack:
        i = stack.pop()
        out.append(
            (
                tree.feature[i],
                tree.threshold[i],
                tree.n_node_samples[i],
                tree.weighted_n_node_samples[i],
                tree.impurity[i],
                tree.value[i].ravel(),
            )
        )
        if tree.children_left[i] != -1:
            stack += [tree.children_right[i], tree.children_left[i]]
    return out


def assert_same_tree(ours, ref, rtol=1e-9):
    a, b = preorder(ours.tree_), preorder(ref.tree_)
    assert len(a) == len(b)
    for na, nb in zip(a, b, strict=True):
        assert na[0] == nb[0] and na[2] == nb[2]
        np.testing.assert_allclose(na[1], nb[1], rtol=1e-7)
        np.testing.assert_allclose(na[3:5], nb[3:5], rtol=rtol, atol=1e-9)
        np.testing.assert_allclose(na[5], nb[5], rtol=rtol, atol=1e-9)
    assert ours.get_depth() == ref.get_depth() and ours.get_n_leaves() == ref.get_n_leaves()
    np.testing.assert_allclose(ours.feature_importances_, ref.feature_importances_, atol=1e-9)


def _untied_classification(n=300):
    X, y = make_classification(n, 6, n_informative=6, n_redundant=0, n_classes=3, random_state=1)
    return X, y


def _untied_regression(n=300):
    return make_regression(n, 5, noise=5.0, random_state=2)


# Small nodes often have two equally good splits (the same partition through two
# features); both libraries then pick at random. These settings stop before such nodes.
CLF_PARAMS = [
    {"max_depth": 3},
    {"max_depth": 3, "criterion": "entropy"},
    {"max_depth": 4, "min_samples_leaf": 10},
    {"max_depth": 4, "min_samples_split": 40, "criterion": "log_loss"},
    {"max_depth": 4, "min_samples_leaf": 10, "min_impurity_decrease": 0.01},
    {"max_leaf_nodes": 9},
    {"max_depth": 3, "min_weight_fraction_leaf": 0.1},
    {"max_depth": 3, "class_weight": "balanced"},
    {"max_depth": 4, "class_weight": {0: 1.0, 1: 3.0, 2: 0.5}, "min_samples_leaf": 3},
]


REG_PARAMS = [
    {"max_depth": 3},
    {"max_depth": 6, "min_samples_leaf": 5},
    {"min_impurity_decrease": 300.0},
    {"max_leaf_nodes": 12},
    {"max_leaf_nodes": 6, "max_depth": 2},
    {"criterion": "absolute_error", "max_depth": 3},
]
# kind: (ours, scikit-learn's, data, the prediction compared)
KINDS = {
    "clf": (
        DecisionTreeClassifier,
        sktree.DecisionTreeClassifier,
        _untied_classification,
        "predict_proba",
    ),
    "reg": (DecisionTreeRegressor, sktree.DecisionTreeRegressor, _untied_regression, "predict"),
}


@pytest.mark.parametrize(
    "kind, params", [("clf", p) for p in CLF_PARAMS] + [("reg", p) for p in REG_PARAMS]
)
def test_same_tree_as_sklearn(kind, params):
    ours_cls, ref_cls, data, method = KINDS[kind]
    X, y = data()
    ours = ours_cls(**params, random_state=0).fit(X, y)
    ref = ref_cls(**params, random_state=0).fit(X, y)
    assert_same_tree(ours, ref)
    np.testing.assert_allclose(
        getattr(ours, method)(X[::3]), getattr(ref, method)(X[::3]), rtol=1e-9
    )


def test_sample_weight_same_tree_as_sklearn():
    X, y = _untied_classification()
    w = np.random.default_rng(0).uniform(0.0, 3.0, len(y))
    w[::10] = 0.0  # zero-weight samples are left out, as in scikit-learn
    ours = DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, y, sample_weight=w)
    ref = sktree.DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, y, sample_weight=w)
    assert_same_tree(ours, ref)
    Xr, yr = _untied_regression()
    ours = DecisionTreeRegressor(min_samples_leaf=4, random_state=0).fit(Xr, yr, sample_weight=w)
    ref = sktree.DecisionTreeRegressor(min_samples_leaf=4, random_state=0).fit(
        Xr, yr, sample_weight=w
    )
    assert_same_tree(ours, ref, rtol=1e-7)


# (loader, number of random_states averaged). Ties between equally good splits are broken
# by a random feature order in both libraries, with different generators; on small test
# sets one sample is more than a point (wine: 89), so accuracies are averaged over seeds.
DATASETS = {
    "breast_cancer": (lambda: load_breast_cancer(return_X_y=True), 10),
    "digits": (lambda: load_digits(return_X_y=True), 5),
    "wine": (lambda: load_wine(return_X_y=True), 40),
    "classification_20000x20": (lambda: make_classification(20000, 20, random_state=0), 1),
}


@pytest.mark.parametrize("name", list(DATASETS))
def test_fully_grown_classifier_accuracy_matches_sklearn(name):
    load, n_seeds = DATASETS[name]
    X, y = load()
    Xtr, ytr, Xte, yte = X[::2], y[::2], X[1::2], y[1::2]
    acc, acc_ref = [], []
    for seed in range(n_seeds):
        ours = DecisionTreeClassifier(random_state=seed).fit(Xtr, ytr)
        ref = sktree.DecisionTreeClassifier(random_state=seed).fit(Xtr, ytr)
        assert ours.score(Xtr, ytr) == 1.0
        acc.append(ours.score(Xte, yte))
        acc_ref.append(ref.score(Xte, yte))
    assert abs(np.mean(acc) - np.mean(acc_ref)) <= 0.01


def test_fully_grown_regressor_r2_matches_sklearn():
    X, y = make_regression(20000, 8, n_informative=6, noise=20.0, random_state=0)
    Xtr, ytr, Xte, yte = X[::2], y[::2], X[1::2], y[1::2]
    ours = DecisionTreeRegressor(random_state=0).fit(Xtr, ytr)
    ref = sktree.DecisionTreeRegressor(random_state=0).fit(Xtr, ytr)
    assert ours.score(Xtr, ytr) == 1.0
    assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.02


@pytest.mark.parametrize("max_features", ["sqrt", "log2", 0.5, 3])
def test_random_features_accuracy_matches_sklearn(max_features):
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, ytr, Xte, yte = X[::2], y[::2], X[1::2], y[1::2]
    ours = [DecisionTreeClassifier(max_features=max_features, random_state=s) for s in range(8)]
    refs = [
        sktree.DecisionTreeClassifier(max_features=max_features, random_state=s) for s in range(8)
    ]
    acc = np.mean([t.fit(Xtr, ytr).score(Xte, yte) for t in ours])
    acc_ref = np.mean([t.fit(Xtr, ytr).score(Xte, yte) for t in refs])
    assert abs(acc - acc_ref) <= 0.03
    # reproducible from random_state, and different seeds give different trees
    again = DecisionTreeClassifier(max_features=max_features, random_state=0).fit(Xtr, ytr)
    np.testing.assert_array_equal(again.tree_.threshold, ours[0].tree_.threshold)
    assert any(t.tree_.node_count != ours[0].tree_.node_count for t in ours[1:]) or any(
        not np.array_equal(t.tree_.feature, ours[0].tree_.feature) for t in ours[1:]
    )


def test_diabetes_regressor_matches_sklearn_predictions():
    X, y = load_diabetes(return_X_y=True)
    ours = DecisionTreeRegressor(max_depth=5, min_samples_leaf=20, random_state=0).fit(X, y)
    ref = sktree.DecisionTreeRegressor(max_depth=5, min_samples_leaf=20, random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-10)
    np.testing.assert_allclose(ours.feature_importances_, ref.feature_importances_, atol=1e-12)


def test_apply_and_decision_path_agree_with_predict():
    X, y = _untied_regression()
    reg = DecisionTreeRegressor(max_depth=4).fit(X, y)
    leaves = reg.apply(X)
    assert np.all(reg.tree_.children_left[leaves] == -1)
    np.testing.assert_array_equal(reg.tree_.value[leaves, 0, 0], reg.predict(X))
    path = reg.decision_path(X)
    assert path[:, 0].all() and path[np.arange(len(X)), leaves].all()
    np.testing.assert_array_equal(path.sum(1), 1 + np.zeros(len(X)) + _depths(reg.tree_)[leaves])


def _depths(tree):
    depth = np.zeros(tree.node_count, dtype=int)
    for i in range(tree.node_count):  # children have larger ids than their parent
        if tree.children_left[i] != -1:
            depth[[tree.children_left[i], tree.children_right[i]]] = depth[i] + 1
    return depth


def test_booster_can_overwrite_leaf_values():
    X, y = _untied_regression()
    reg = DecisionTreeRegressor(max_depth=2, criterion="friedman_mse").fit(X, y)
    leaves = np.unique(reg.apply(X))
    reg.tree_.value[leaves, 0, 0] = np.arange(len(leaves))
    assert set(reg.predict(X)) == set(range(len(leaves)))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"criterion": "mse"}, "criterion must be one of"),
        ({"max_depth": 0}, "max_depth must be None or an int >= 1"),
        ({"min_samples_leaf": 0}, "min_samples_leaf must be an int >= 1"),
        ({"min_samples_split": 1}, "min_samples_split must be an int >= 2"),
        ({"max_features": "all"}, "max_features must be None, 'sqrt'"),
        ({"max_leaf_nodes": 1}, "max_leaf_nodes must be None or an int >= 2"),
    ],
)
def test_bad_hyperparameters_raise(params, match):
    X, y = _untied_regression(50)
    with pytest.raises(ValueError, match=match):
        DecisionTreeRegressor(**params).fit(X, y)


def test_classifier_rejects_continuous_and_wrong_feature_count():
    X, y = _untied_regression(50)
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        DecisionTreeClassifier().fit(X, y)
    clf = DecisionTreeClassifier().fit(X, y > 0)
    with pytest.raises(ValueError, match="X has 4 features, but DecisionTreeClassifier"):
        clf.predict(X[:, :4])


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"feature_names": list("abcdef"), "show_weights": True, "max_depth": 1},
        {"class_names": ["x", "y", "z"], "decimals": 3, "spacing": 2},
        {"max_depth": 0},
    ],
)
def test_export_text_matches_sklearn(kw):
    X, y = _untied_classification()
    ours = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    ref = sktree.DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    assert export_text(ours, **kw) == sktree.export_text(ref, **kw)
    Xr, yr = _untied_regression()
    ours = DecisionTreeRegressor(max_depth=2).fit(Xr, yr)
    ref = sktree.DecisionTreeRegressor(max_depth=2).fit(Xr, yr)
    assert export_text(ours, decimals=1) == sktree.export_text(ref, decimals=1)


def test_plot_tree_draws_every_node():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = _untied_classification()
    clf = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    fig, ax = plt.subplots()
    texts = plot_tree(clf, feature_names=list("abcdef"), ax=ax)
    assert len(texts) == clf.tree_.node_count
    assert texts[0].get_text().startswith(f"{'abcdef'[clf.tree_.feature[0]]} <= ")
    plt.close(fig)
    with pytest.raises(ValueError, match="feature_names must contain 6 elements, got 2"):
        export_text(clf, feature_names=["a", "b"])


def test_random_features_skip_constant_features_like_sklearn():
    # 25 + 10 constant columns around 5 informative ones: when every drawn feature is
    # constant, both libraries keep drawing until a non-constant one
    X, y = load_breast_cancer(return_X_y=True)
    X = np.hstack([np.zeros((len(X), 25)), X[:, :5], np.ones((len(X), 10))])
    Xtr, ytr, Xte, yte = X[::2], y[::2], X[1::2], y[1::2]
    for max_features in (1, 5):
        ours = [
            DecisionTreeClassifier(max_features=max_features, random_state=s) for s in range(10)
        ]
        refs = [
            sktree.DecisionTreeClassifier(max_features=max_features, random_state=s)
            for s in range(10)
        ]
        assert all(t.fit(Xtr, ytr).score(Xtr, ytr) == 1.0 for t in ours)
        acc = np.mean([t.score(Xte, yte) for t in ours])
        acc_ref = np.mean([t.fit(Xtr, ytr).score(Xte, yte) for t in refs])
        assert abs(acc - acc_ref) <= 0.03


def test_integer_class_counts_split_like_float_weights():
    """Unit (or bootstrap) weights make the class counts integers, summed in int32 for
    speed; halving every weight keeps them floats. Both must grow the same tree (halving
    scales every score by exactly 1/2, so even digits' many ties fall alike)."""
    from groundup.ml._criteria import CRITERIA

    X, y = load_digits(return_X_y=True)
    gini = CRITERIA["gini"]
    assert gini.split_statistics(gini.sample_stats(y, np.ones(len(y)), 10)).dtype == np.int32
    halves = np.full(len(y), 0.5)
    assert gini.split_statistics(gini.sample_stats(y, halves, 10)).dtype == np.float64
    counts = DecisionTreeClassifier(random_state=0).fit(X, y).tree_
    floats = DecisionTreeClassifier(random_state=0).fit(X, y, sample_weight=halves).tree_
    np.testing.assert_array_equal(counts.feature, floats.feature)
    np.testing.assert_array_equal(counts.threshold, floats.threshold)
    np.testing.assert_allclose(counts.impurity, floats.impurity, rtol=1e-12)
