"""GradientBoosting* against scikit-learn's, plus its check_estimator."""

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
from sklearn.dummy import DummyClassifier  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from groundup.ml.gradient_boosting import (  # noqa: E402
    GradientBoostingClassifier,
    GradientBoostingRegressor,
)
from groundup.ml.validation import NotFittedError  # noqa: E402

_WEIGHTS = (
    "as in scikit-learn (its own xfail): with a log-loss a weight of 2 is not a repeated "
    "row, the init's class priors and the tie-breaking between splits see them differently"
)
EXPECTED_FAILED_CHECKS: dict = {
    "GradientBoostingClassifier": {
        "check_estimators_unfitted": UNFITTED,
        "check_sample_weight_equivalence_on_dense_data": _WEIGHTS,
    },
    "GradientBoostingRegressor": {"check_estimators_unfitted": UNFITTED},
}


@parametrize_with_checks(
    # scikit-learn checks its own GradientBoosting* with n_estimators=5
    [GradientBoostingClassifier(n_estimators=5), GradientBoostingRegressor(n_estimators=5)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)


def _split(X, y):
    return train_test_split(X, y, random_state=0)


CLASSIFICATION = {
    # (data, n_estimators): fewer stages where K trees a stage make the suite slow
    "cancer": (lambda: load_breast_cancer(return_X_y=True), 100),
    "wine": (lambda: load_wine(return_X_y=True), 100),
    "digits": (lambda: load_digits(return_X_y=True), 10),
    "classification_20k": (lambda: make_classification(20000, 20, random_state=0), 10),
}


@pytest.mark.parametrize("name", list(CLASSIFICATION))
def test_gradient_boosting_classifier_accuracy_matches_sklearn(name):
    data, n_estimators = CLASSIFICATION[name]
    Xtr, Xte, ytr, yte = _split(*data())
    ours = GradientBoostingClassifier(n_estimators=n_estimators, random_state=0).fit(Xtr, ytr)
    ref = sken.GradientBoostingClassifier(n_estimators=n_estimators, random_state=0).fit(Xtr, ytr)
    assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.02
    assert ours.estimators_.shape == ref.estimators_.shape
    # the same trees up to tied splits: the training loss agrees closely
    np.testing.assert_allclose(ours.train_score_, ref.train_score_, rtol=0.02)


@pytest.mark.parametrize(
    "kw",
    [
        {"loss": "squared_error"},
        {"loss": "huber", "alpha": 0.8},
        {"loss": "squared_error", "max_depth": 5, "min_samples_leaf": 5, "learning_rate": 0.3},
        {"loss": "absolute_error"},
        {"loss": "quantile", "alpha": 0.7},
    ],
)
def test_gradient_boosting_regressor_matches_sklearn(kw):
    """Continuous targets give no tied splits: the same trees and leaf values on the
    training rows. (Test rows may still differ: in a node of a few samples, several
    features split them alike and scikit-learn picks one at random.) Absolute error and
    quantile fit trees to +-1 gradients, full of ties: there we compare losses.
    """
    X, y = make_regression(600, 8, noise=5.0, random_state=0)
    Xtr, Xte, ytr, yte = _split(X, y)
    ours = GradientBoostingRegressor(n_estimators=50, random_state=0, **kw).fit(Xtr, ytr)
    ref = sken.GradientBoostingRegressor(n_estimators=50, random_state=0, **kw).fit(Xtr, ytr)
    if kw["loss"] in ("absolute_error", "quantile"):
        np.testing.assert_allclose(ours.train_score_, ref.train_score_, rtol=0.05)
        assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.02
        return
    np.testing.assert_allclose(ours.predict(Xtr), ref.predict(Xtr), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.train_score_, ref.train_score_, rtol=1e-9)
    # tied splits in small nodes move a little importance between features
    np.testing.assert_allclose(ours.feature_importances_, ref.feature_importances_, atol=2e-3)
    assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.01


def test_gradient_boosting_regressor_r2_matches_sklearn_on_diabetes():
    Xtr, Xte, ytr, yte = _split(*load_diabetes(return_X_y=True))
    for loss in ("squared_error", "absolute_error", "huber"):
        ours = GradientBoostingRegressor(loss=loss, random_state=0).fit(Xtr, ytr)
        ref = sken.GradientBoostingRegressor(loss=loss, random_state=0).fit(Xtr, ytr)
        gap = ours.score(Xte, yte) - ref.score(Xte, yte)
        # absolute error fits trees to +-1 targets: many tied splits, which our tree and
        # scikit-learn's (a random feature order) break differently; on these 111 test
        # rows that moves R^2 by ~0.02 either way (measured: ours 0.271, sklearn 0.251)
        assert abs(gap) <= (0.03 if loss == "absolute_error" else 0.02)


def test_gradient_boosting_classifier_probabilities_match_sklearn():
    """Binary: one tree a stage, Newton leaf steps; 3 classes: three trees a stage."""
    for n_classes, tol in ((2, 1e-9), (3, 5e-3)):  # multiclass gradients tie a few splits
        X, y = make_classification(600, 8, n_informative=5, n_classes=n_classes, random_state=0)
        Xtr, _, ytr, _ = _split(X, y)
        ours = GradientBoostingClassifier(n_estimators=30, random_state=0).fit(Xtr, ytr)
        ref = sken.GradientBoostingClassifier(n_estimators=30, random_state=0).fit(Xtr, ytr)
        np.testing.assert_allclose(ours.predict_proba(Xtr), ref.predict_proba(Xtr), atol=tol)
        np.testing.assert_allclose(ours.train_score_, ref.train_score_, rtol=tol)


def test_gradient_boosting_staged_outputs_and_decreasing_train_score():
    Xtr, Xte, ytr, _ = _split(*load_wine(return_X_y=True))
    clf = GradientBoostingClassifier(n_estimators=20, random_state=0).fit(Xtr, ytr)
    staged = list(clf.staged_predict_proba(Xte))
    assert len(staged) == 20
    np.testing.assert_allclose(staged[-1], clf.predict_proba(Xte))
    np.testing.assert_array_equal(list(clf.staged_predict(Xte))[-1], clf.predict(Xte))
    np.testing.assert_allclose(
        list(clf.staged_decision_function(Xte))[-1], clf.decision_function(Xte)
    )
    assert np.all(np.diff(clf.train_score_) < 0)
    reg = GradientBoostingRegressor(n_estimators=20).fit(Xtr, Xtr[:, 0])
    np.testing.assert_allclose(list(reg.staged_predict(Xte))[-1], reg.predict(Xte))
    assert np.all(np.diff(reg.train_score_) <= 0)


def test_gradient_boosting_subsample_and_early_stopping():
    X, y = make_classification(2000, 10, random_state=0)
    Xtr, Xte, ytr, yte = _split(X, y)
    kw = {"subsample": 0.5, "n_estimators": 60, "random_state": 0}
    ours = GradientBoostingClassifier(**kw).fit(Xtr, ytr)
    ref = sken.GradientBoostingClassifier(**kw).fit(Xtr, ytr)
    assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.02
    assert ours.oob_improvement_.shape == ours.oob_scores_.shape == (60,)
    assert ours.oob_score_ == ours.oob_scores_[-1]
    kw = {"n_estimators": 500, "n_iter_no_change": 5, "random_state": 0}
    ours = GradientBoostingRegressor(**kw).fit(Xtr, ytr.astype(float))
    ref = sken.GradientBoostingRegressor(**kw).fit(Xtr, ytr.astype(float))
    assert ours.n_estimators_ < 500
    assert abs(ours.n_estimators_ - ref.n_estimators_) <= 0.2 * ref.n_estimators_
    assert len(ours.estimators_) == len(ours.train_score_) == ours.n_estimators_


def test_gradient_boosting_init_zero_and_estimator_match_sklearn():
    X, y = make_regression(400, 5, noise=5.0, random_state=0)
    for init in ("zero", LinearRegression()):
        ours = GradientBoostingRegressor(n_estimators=20, init=init, random_state=0).fit(X, y)
        ref = sken.GradientBoostingRegressor(n_estimators=20, init=init, random_state=0).fit(X, y)
        np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-9, atol=1e-9)
    Xc, yc = make_classification(400, 5, random_state=0)
    init = DummyClassifier(strategy="prior")  # the default init, given as an estimator
    ours = GradientBoostingClassifier(n_estimators=10, init=init, random_state=0).fit(Xc, yc)
    ref = sken.GradientBoostingClassifier(n_estimators=10, init=init, random_state=0).fit(Xc, yc)
    default = GradientBoostingClassifier(n_estimators=10, random_state=0).fit(Xc, yc)
    np.testing.assert_allclose(ours.predict_proba(Xc), default.predict_proba(Xc), atol=1e-12)
    assert abs(ours.train_score_[0] - ref.train_score_[0]) < 1e-12


def test_gradient_boosting_errors():
    X, y = load_wine(return_X_y=True)
    with pytest.raises(NotFittedError, match="not fitted"):
        GradientBoostingClassifier().predict(X)
    with pytest.raises(ValueError, match="subsample == 1.5, must be <= 1"):
        GradientBoostingClassifier(subsample=1.5).fit(X, y)
    with pytest.raises(ValueError, match="loss must be 'log_loss'"):
        GradientBoostingClassifier(loss="huber").fit(X, y)
    with pytest.raises(ValueError, match="loss must be one of"):
        GradientBoostingRegressor(loss="log_loss").fit(X, y)
    with pytest.raises(ValueError, match="init must be None, 'zero' or an estimator"):
        GradientBoostingRegressor(init="mean").fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but GradientBoostingRegressor"):
        GradientBoostingRegressor(n_estimators=2).fit(X, y).predict(X[:, :3])
