"""HistGradientBoosting* against scikit-learn's, plus its check_estimator."""

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from ml_checks import UNFITTED  # noqa: E402
from sklearn import ensemble as sken  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_wine,
    make_classification,
    make_regression,
)
from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from groundup.ml._binning import BinMapper  # noqa: E402
from groundup.ml._hist_grower import HistGrower  # noqa: E402
from groundup.ml.hist_gradient_boosting import (  # noqa: E402
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from groundup.ml.validation import NotFittedError  # noqa: E402

_WEIGHTS = (
    "as in scikit-learn (its own xfail): min_samples_leaf counts rows, so a weight of 2 "
    "is not the same as a repeated row"
)
EXPECTED_FAILED_CHECKS: dict = {
    name: {
        "check_estimators_unfitted": UNFITTED,
        "check_sample_weight_equivalence_on_dense_data": _WEIGHTS,
    }
    for name in ("HistGradientBoostingClassifier", "HistGradientBoostingRegressor")
}


@parametrize_with_checks(
    # scikit-learn checks its own HistGradientBoosting* with these settings (fast, small data)
    [
        HistGradientBoostingClassifier(max_iter=5, min_samples_leaf=5),
        HistGradientBoostingRegressor(max_iter=5, min_samples_leaf=5),
    ],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)


@pytest.fixture(autouse=True)
def _one_openmp_thread():
    """scikit-learn's OpenMP threads spin-wait: on a busy 2-core machine one is much faster."""
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


CLASSIFICATION = {
    "cancer": lambda: load_breast_cancer(return_X_y=True),
    "wine": lambda: load_wine(return_X_y=True),
    "digits": lambda: load_digits(return_X_y=True),
    "classification_20k": lambda: make_classification(20000, 20, random_state=0),
}


def _split(X, y):
    return train_test_split(X, y, random_state=0)


@pytest.mark.parametrize("name", list(CLASSIFICATION))
def test_hist_gradient_boosting_classifier_matches_sklearn(name):
    """Same binning, float32 gradients, gains (rounded alike), tie-breaks and leaf values:
    the same trees, so the same probabilities to round-off. On wine (3 classes) a near-tie
    falls the other way after ~50 rounds: there only the accuracy is compared."""
    Xtr, Xte, ytr, yte = _split(*CLASSIFICATION[name]())
    kw = {"max_iter": 30} if name == "digits" else {}  # 10 trees a round: keep the suite fast
    ours = HistGradientBoostingClassifier(random_state=0, **kw).fit(Xtr, ytr)
    ref = sken.HistGradientBoostingClassifier(random_state=0, **kw).fit(Xtr, ytr)
    assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.02
    assert ours.n_trees_per_iteration_ == ref.n_trees_per_iteration_
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    if name != "wine":
        np.testing.assert_allclose(ours.predict_proba(Xte), ref.predict_proba(Xte), atol=1e-12)


def test_hist_gradient_boosting_early_stopping_matches_sklearn():
    """Above 10,000 rows 'auto' holds out 10% (the same rows) and stops on the validation
    loss, after the same number of rounds."""
    X, y = make_classification(20000, 20, random_state=0)
    ours = HistGradientBoostingClassifier(random_state=0).fit(X, y)
    ref = sken.HistGradientBoostingClassifier(random_state=0).fit(X, y)
    assert ours.do_early_stopping_ and ref.do_early_stopping_
    assert ours.n_iter_ == ref.n_iter_ < 100
    assert ours.train_score_.shape == ours.validation_score_.shape == (ours.n_iter_ + 1,)
    np.testing.assert_allclose(ours.train_score_, ref.train_score_, rtol=1e-10)
    np.testing.assert_allclose(ours.validation_score_, ref.validation_score_, rtol=1e-10)


def test_hist_gradient_boosting_decision_function_matches_sklearn():
    Xtr, Xte, ytr, _ = _split(*make_classification(2000, 10, random_state=0))
    ours = HistGradientBoostingClassifier(max_iter=20).fit(Xtr, ytr)
    ref = sken.HistGradientBoostingClassifier(max_iter=20).fit(Xtr, ytr)
    np.testing.assert_allclose(
        ours.decision_function(Xte), ref.decision_function(Xte), rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize(
    "kw",
    [
        {"loss": "squared_error"},
        {"loss": "absolute_error"},
        {"loss": "quantile", "quantile": 0.8},
        {"l2_regularization": 1.0, "max_depth": 3, "max_leaf_nodes": 15},
    ],
)
def test_hist_gradient_boosting_regressor_matches_sklearn_on_diabetes(kw):
    Xtr, Xte, ytr, yte = _split(*load_diabetes(return_X_y=True))
    ours = HistGradientBoostingRegressor(random_state=0, **kw).fit(Xtr, ytr)
    ref = sken.HistGradientBoostingRegressor(random_state=0, **kw).fit(Xtr, ytr)
    if kw.get("loss") == "quantile":  # R^2 means little here: compare the share below
        below, below_ref = np.mean(yte <= ours.predict(Xte)), np.mean(yte <= ref.predict(Xte))
        assert abs(below - below_ref) <= 0.03
    else:
        assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.02
    np.testing.assert_allclose(ours.predict(Xte), ref.predict(Xte), rtol=1e-10, atol=1e-10)


def test_hist_gradient_boosting_regressor_r2_matches_sklearn_on_large_data():
    Xtr, Xte, ytr, yte = _split(*make_regression(20000, 20, noise=10.0, random_state=0))
    ours = HistGradientBoostingRegressor(random_state=0).fit(Xtr, ytr)
    ref = sken.HistGradientBoostingRegressor(random_state=0).fit(Xtr, ytr)
    assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.02
    assert ours.score(Xte, yte) > 0.95
    np.testing.assert_allclose(ours.predict(Xte), ref.predict(Xte), rtol=1e-10, atol=1e-8)


def test_hist_gradient_boosting_missing_values_match_sklearn():
    """NaN gets its own bin; each split learns on which side it goes."""
    X, y = make_classification(3000, 10, random_state=0)
    rng = np.random.RandomState(0)
    X[rng.rand(*X.shape) < 0.2] = np.nan
    Xtr, Xte, ytr, yte = _split(X, y)
    Xtr[:, 0] = np.nan_to_num(Xtr[:, 0])  # NaN unseen in training: goes with the majority
    ours = HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(Xtr, ytr)
    ref = sken.HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(Xtr, ytr)
    assert ours.score(Xte, yte) > 0.8
    np.testing.assert_allclose(ours.predict_proba(Xte), ref.predict_proba(Xte), atol=1e-12)


def test_bin_mapper_thresholds_match_sklearn():
    X, _ = make_classification(3000, 5, random_state=0)
    X[:, 0] = np.round(X[:, 0])  # few distinct values: midpoints
    X[::7, 1] = np.nan
    ours = BinMapper(max_bins=255).fit(X)
    ref = _BinMapper(n_bins=256).fit(X)
    for t_ours, t_ref in zip(ours.thresholds_, ref.bin_thresholds_):
        np.testing.assert_allclose(t_ours, t_ref, rtol=1e-12)
    np.testing.assert_array_equal(ours.transform(X), ref.transform(X))


def test_hist_grower_sibling_histogram_by_subtraction():
    X, _ = make_classification(500, 4, random_state=0)
    mapper = BinMapper().fit(X)
    grower = HistGrower(X_binned := mapper.transform(X), mapper.n_bins_non_missing_, 255)
    g = np.random.RandomState(0).randn(500)
    h = np.random.RandomState(1).rand(500)
    left = np.flatnonzero(X_binned[:, 0] < 100)
    right = np.flatnonzero(X_binned[:, 0] >= 100)
    for hessians in (None, h):  # G alone (H = counts), and G + iH
        parent = grower._histogram(np.arange(500), g, hessians)
        by_subtraction = parent - grower._histogram(left, g, hessians)
        direct = grower._histogram(right, g, hessians)
        np.testing.assert_array_equal(by_subtraction.counts, direct.counts)
        np.testing.assert_allclose(by_subtraction.G, direct.G, atol=1e-10)
        np.testing.assert_allclose(by_subtraction.H, direct.H, atol=1e-10)


def test_hist_gradient_boosting_staged_outputs_end_at_predict():
    Xtr, Xte, ytr, _ = _split(*load_wine(return_X_y=True))
    clf = HistGradientBoostingClassifier(max_iter=15, random_state=0).fit(Xtr, ytr)
    staged = list(clf.staged_predict_proba(Xte))
    assert len(staged) == clf.n_iter_ == 15
    np.testing.assert_allclose(staged[-1], clf.predict_proba(Xte))
    np.testing.assert_array_equal(list(clf.staged_predict(Xte))[-1], clf.predict(Xte))
    reg = HistGradientBoostingRegressor(max_iter=10).fit(Xtr, Xtr[:, 0])
    np.testing.assert_allclose(list(reg.staged_predict(Xte))[-1], reg.predict(Xte))


def test_hist_gradient_boosting_errors():
    X, y = load_wine(return_X_y=True)
    with pytest.raises(NotFittedError, match="not fitted"):
        HistGradientBoostingClassifier().predict(X)
    with pytest.raises(ValueError, match="max_bins == 300, must be <= 255"):
        HistGradientBoostingClassifier(max_bins=300).fit(X, y)
    with pytest.raises(ValueError, match="only scoring='loss'"):
        HistGradientBoostingClassifier(scoring="accuracy").fit(X, y)
    with pytest.raises(ValueError, match="loss must be 'log_loss'"):
        HistGradientBoostingClassifier(loss="squared_error").fit(X, y)
    with pytest.raises(ValueError, match="needs quantile in \\(0, 1\\), got None"):
        HistGradientBoostingRegressor(loss="quantile").fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but HistGradientBoostingRegressor"):
        HistGradientBoostingRegressor(max_iter=2).fit(X, y).predict(X[:, :3])
