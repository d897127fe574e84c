"""Random forests against scikit-learn: same bootstrap samples, same accuracy, OOB, importances."""

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from ml_checks import UNFITTED  # noqa: E402
from sklearn import ensemble as skens  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_digits,
    load_wine,
    make_classification,
    make_regression,
)
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from groundup.ml.forest import RandomForestClassifier, RandomForestRegressor  # noqa: E402

_WEIGHTS = (
    "as in scikit-learn's own list of expected failures for forests: sample weights drive "
    "the random bootstrap draws, so weight 2 is not the same forest as a repeated sample"
)
EXPECTED_FAILED_CHECKS: dict = {
    name: {
        "check_estimators_unfitted": UNFITTED,
        "check_sample_weight_equivalence_on_dense_data": _WEIGHTS,
    }
    for name in ("RandomForestClassifier", "RandomForestRegressor")
}


@parametrize_with_checks(
    [RandomForestClassifier(n_estimators=5), RandomForestRegressor(n_estimators=5)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)


def _split(X, y):
    return X[::2], y[::2], X[1::2], y[1::2]


CLASSIFICATION = {
    "breast_cancer": (lambda: load_breast_cancer(return_X_y=True), 100),
    "wine": (lambda: load_wine(return_X_y=True), 100),
    "digits": (lambda: load_digits(return_X_y=True), 50),
    "classification_6000x20": (lambda: make_classification(6000, 20, random_state=0), 30),
}


@pytest.mark.parametrize("name", list(CLASSIFICATION))
def test_classifier_accuracy_matches_sklearn(name):
    load, n_trees = CLASSIFICATION[name]
    Xtr, ytr, Xte, yte = _split(*load())
    ours = RandomForestClassifier(n_trees, random_state=0).fit(Xtr, ytr)
    ref = skens.RandomForestClassifier(n_trees, random_state=0).fit(Xtr, ytr)
    assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.02
    proba = ours.predict_proba(Xte)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    assert np.mean(np.abs(proba - ref.predict_proba(Xte)).max(1)) < 0.1


@pytest.mark.parametrize("max_features", [1.0, "sqrt"])
def test_regressor_r2_matches_sklearn(max_features):
    X, y = make_regression(3000, 10, n_informative=6, noise=10.0, random_state=0)
    Xtr, ytr, Xte, yte = _split(X, y)
    ours = RandomForestRegressor(30, max_features=max_features, random_state=0).fit(Xtr, ytr)
    ref = skens.RandomForestRegressor(30, max_features=max_features, random_state=0).fit(Xtr, ytr)
    assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.02


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"max_samples": 0.4},
        {"class_weight": "balanced"},
        {"class_weight": "balanced_subsample"},
    ],
)
def test_trees_see_sklearns_bootstrap_samples(params):
    # same random_state -> same per-tree seeds -> the same draws: the roots hold the same
    # samples with the same (count x class) weights
    X, y = make_classification(400, 6, weights=[0.7, 0.3], random_state=3)
    ours = RandomForestClassifier(8, max_depth=2, random_state=5, **params).fit(X, y)
    ref = skens.RandomForestClassifier(8, max_depth=2, random_state=5, **params).fit(X, y)
    for a, b in zip(ours.estimators_, ref.estimators_, strict=True):
        assert a.random_state == b.random_state
        assert a.tree_.n_node_samples[0] == b.tree_.n_node_samples[0]
        np.testing.assert_allclose(
            a.tree_.weighted_n_node_samples[0], b.tree_.weighted_n_node_samples[0]
        )
        np.testing.assert_allclose(a.tree_.value[0], b.tree_.value[0])


def test_oob_matches_sklearn():
    Xtr, ytr, _, _ = _split(*load_breast_cancer(return_X_y=True))
    ours = RandomForestClassifier(60, oob_score=True, random_state=0).fit(Xtr, ytr)
    ref = skens.RandomForestClassifier(60, oob_score=True, random_state=0).fit(Xtr, ytr)
    assert abs(ours.oob_score_ - ref.oob_score_) <= 0.02
    assert ours.oob_decision_function_.shape == (len(ytr), 2)
    np.testing.assert_allclose(ours.oob_decision_function_.sum(1), 1.0)
    X, y = make_regression(1000, 6, noise=5.0, random_state=1)
    ours = RandomForestRegressor(40, oob_score=True, random_state=0).fit(X, y)
    ref = skens.RandomForestRegressor(40, oob_score=True, random_state=0).fit(X, y)
    assert abs(ours.oob_score_ - ref.oob_score_) <= 0.02
    assert np.corrcoef(ours.oob_prediction_, ref.oob_prediction_)[0, 1] > 0.98


def test_feature_importances_close_to_sklearn():
    X, y = make_classification(3000, 10, n_informative=3, n_redundant=0, random_state=0)
    ours = RandomForestClassifier(40, random_state=0).fit(X, y)
    ref = skens.RandomForestClassifier(40, random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.feature_importances_.sum(), 1.0)
    np.testing.assert_allclose(ours.feature_importances_, ref.feature_importances_, atol=0.02)
    assert set(np.argsort(ours.feature_importances_)[-3:]) == set(
        np.argsort(ref.feature_importances_)[-3:]
    )


def test_random_state_and_threads_are_reproducible():
    Xtr, ytr, Xte, _ = _split(*load_wine(return_X_y=True))
    one = RandomForestClassifier(12, random_state=1).fit(Xtr, ytr).predict_proba(Xte)
    two = RandomForestClassifier(12, random_state=1, n_jobs=2).fit(Xtr, ytr).predict_proba(Xte)
    other = RandomForestClassifier(12, random_state=2).fit(Xtr, ytr).predict_proba(Xte)
    np.testing.assert_array_equal(one, two)
    assert not np.array_equal(one, other)


def test_apply_and_bootstrap_off():
    X, y = make_regression(200, 4, random_state=0)
    forest = RandomForestRegressor(5, bootstrap=False, max_depth=3, random_state=0).fit(X, y)
    leaves = forest.apply(X)
    assert leaves.shape == (200, 5)
    for k, tree in enumerate(forest.estimators_):
        assert tree.tree_.n_node_samples[0] == 200  # no bootstrap: every tree sees all
        np.testing.assert_array_equal(tree.apply(X), leaves[:, k])


def test_bad_parameters_raise():
    X, y = make_regression(50, 3, random_state=0)
    with pytest.raises(ValueError, match="out-of-bag estimation is only available if bootstrap"):
        RandomForestRegressor(3, bootstrap=False, oob_score=True).fit(X, y)
    with pytest.raises(ValueError, match="n_estimators must be an int >= 1"):
        RandomForestRegressor(0).fit(X, y)
    with pytest.raises(ValueError, match="max_samples must be in"):
        RandomForestRegressor(3, max_samples=500).fit(X, y)


def test_each_tree_is_a_decision_tree_on_its_bootstrap_weights():
    # the forest's shared presort must grow the same tree as a plain fit on the draws
    from groundup.ml.forest import bootstrap_counts
    from groundup.ml.tree import DecisionTreeClassifier

    X, y = make_classification(500, 8, random_state=4)
    forest = RandomForestClassifier(3, max_features=3, random_state=7).fit(X, y)
    for tree in forest.estimators_:
        counts = bootstrap_counts(tree.random_state, len(X), len(X))
        alone = DecisionTreeClassifier(max_features=3, random_state=tree.random_state)
        alone.fit(X, y, sample_weight=counts.astype(float))
        np.testing.assert_array_equal(alone.tree_.feature, tree.tree_.feature)
        np.testing.assert_array_equal(alone.tree_.threshold, tree.tree_.threshold)
