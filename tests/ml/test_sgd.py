"""SGDClassifier / SGDRegressor against scikit-learn, plus its check_estimator."""

import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from ml_checks import UNFITTED  # noqa: E402
from sklearn import linear_model as skl  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
)
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from groundup.ml._sgd_loop import learning_rate, optimal_init  # noqa: E402
from groundup.ml.sgd import SGDClassifier, SGDRegressor  # noqa: E402
from groundup.ml.validation import NotFittedError  # noqa: E402

EXPECTED_FAILED_CHECKS: dict = {
    "SGDClassifier": {"check_estimators_unfitted": UNFITTED},
    "SGDRegressor": {"check_estimators_unfitted": UNFITTED},
}

LOADERS = {
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
    "iris": load_iris,
    "diabetes": load_diabetes,
}


def _standardised(name):
    X, y = LOADERS[name](return_X_y=True)
    scale = X.std(0)
    scale[scale == 0] = 1.0
    return (X - X.mean(0)) / scale, y


@parametrize_with_checks(
    [SGDClassifier(), SGDRegressor()],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)


# Without shuffling the visiting order is fixed, so every step can be compared with
# scikit-learn's: the weights agree to rounding for every loss, penalty and schedule.
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"loss": "log_loss"},
        {"loss": "modified_huber"},
        {"loss": "squared_hinge", "learning_rate": "constant"},
        {"loss": "perceptron", "tol": None},
        {"penalty": "l1"},
        {"penalty": "elasticnet", "l1_ratio": 0.5},
        {"penalty": None},
        {"learning_rate": "invscaling", "eta0": 0.1, "power_t": 0.3},
        {"learning_rate": "adaptive", "eta0": 0.1},
        {"average": True},
        {"average": 100, "fit_intercept": False},
    ],
)
def test_sgd_classifier_matches_sklearn_step_by_step(kw):
    X, y = _standardised("iris")
    kw = {"shuffle": False, "max_iter": 15, **kw}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter
        ours, ref = SGDClassifier(**kw).fit(X, y), skl.SGDClassifier(**kw).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8, atol=1e-9)
    assert ours.n_iter_ == ref.n_iter_ and ours.t_ == ref.t_


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"loss": "huber", "epsilon": 0.5},
        {"loss": "epsilon_insensitive"},
        {"loss": "squared_epsilon_insensitive"},
        {"penalty": "elasticnet", "alpha": 0.01},
        {"learning_rate": "adaptive"},
        {"average": True},
    ],
)
def test_sgd_regressor_matches_sklearn_step_by_step(kw):
    X, y = _standardised("diabetes")
    kw = {"shuffle": False, "max_iter": 20, **kw}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, ref = SGDRegressor(**kw).fit(X, y), skl.SGDRegressor(**kw).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8, atol=1e-8)
    assert ours.n_iter_ == ref.n_iter_ and ours.t_ == ref.t_
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-8)


# With shuffling the random orders differ, so compare test accuracy, averaged over seeds
# (on iris one seed's accuracy has a spread of 5-7 points in both libraries).
@pytest.mark.parametrize(
    "name, seeds", [("breast_cancer", range(3)), ("iris", range(20)), ("digits", range(1))]
)
@pytest.mark.parametrize("loss", ["hinge", "log_loss"])
def test_sgd_classifier_accuracy_close_to_sklearn(name, seeds, loss):
    X, y = _standardised(name)
    Xtr, Xte, ytr, yte = X[::2], X[1::2], y[::2], y[1::2]
    ours = [SGDClassifier(loss=loss, random_state=s).fit(Xtr, ytr).score(Xte, yte) for s in seeds]
    ref = [
        skl.SGDClassifier(loss=loss, random_state=s).fit(Xtr, ytr).score(Xte, yte) for s in seeds
    ]
    assert abs(np.mean(ours) - np.mean(ref)) <= 0.02, (ours, ref)
    assert np.mean(ours) >= {"breast_cancer": 0.92, "iris": 0.8, "digits": 0.9}[name]


@pytest.mark.parametrize("kw", [{}, {"loss": "huber", "epsilon": 20.0}, {"penalty": "l1"}])
def test_sgd_regressor_r2_close_to_sklearn(kw):
    X, y = _standardised("diabetes")
    Xtr, Xte, ytr, yte = X[::2], X[1::2], y[::2], y[1::2]
    ours = SGDRegressor(random_state=0, **kw).fit(Xtr, ytr).score(Xte, yte)
    ref = skl.SGDRegressor(random_state=0, **kw).fit(Xtr, ytr).score(Xte, yte)
    assert abs(ours - ref) < 0.02 and ours > 0.4


def test_sgd_classifier_partial_fit_loop():
    X, y = _standardised("digits")
    Xtr, Xte, ytr, yte = X[:1200], X[1200:], y[:1200], y[1200:]
    clf, classes = SGDClassifier(random_state=0), np.unique(y)
    for _ in range(5):
        for part in np.array_split(np.arange(len(ytr)), 6):
            clf.partial_fit(Xtr[part], ytr[part], classes=classes)
    assert clf.t_ == 5 * len(ytr) + 1 and clf.n_iter_ == 1
    assert clf.coef_.shape == (10, 64)
    ref = skl.SGDClassifier(random_state=0).fit(Xtr, ytr).score(Xte, yte)
    assert clf.score(Xte, yte) >= ref - 0.03
    # partial_fit without shuffling walks the samples in order: as scikit-learn does
    ours = SGDClassifier(shuffle=False, loss="log_loss")
    theirs = skl.SGDClassifier(shuffle=False, loss="log_loss")
    for part in np.array_split(np.arange(len(ytr)), 3):
        ours.partial_fit(Xtr[part], ytr[part], classes=classes)
        theirs.partial_fit(Xtr[part], ytr[part], classes=classes)
    # rounding differs (scikit-learn keeps w = wscale * v), so 1e-7 apart after 1,200 steps
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-5, atol=1e-6)


def test_sgd_regressor_partial_fit_matches_sklearn():
    X, y = _standardised("diabetes")
    ours, ref = SGDRegressor(shuffle=False), skl.SGDRegressor(shuffle=False)
    for part in np.array_split(np.arange(len(y)), 4):
        ours.partial_fit(X[part], y[part])
        ref.partial_fit(X[part], y[part])
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8)
    assert ours.t_ == ref.t_ == len(y) + 1


def test_sgd_learning_rate_schedules_as_documented():
    eta0, power_t, alpha, t0 = 0.1, 0.5, 1e-3, 50.0
    ts = np.array([1.0, 2.0, 10.0, 1000.0])
    kw = {"eta0": eta0, "power_t": power_t, "alpha": alpha, "optimal_init": t0}
    np.testing.assert_allclose(learning_rate("constant", ts, **kw), eta0)
    np.testing.assert_allclose(learning_rate("adaptive", ts, **kw), eta0)
    np.testing.assert_allclose(learning_rate("invscaling", ts, **kw), eta0 / ts**power_t)
    np.testing.assert_allclose(learning_rate("optimal", ts, **kw), 1 / (alpha * (t0 + ts - 1)))
    # "optimal" starts at eta = typw = alpha^(-1/4) for the hinge: t0 = 1 / (typw alpha)
    typw = np.sqrt(1.0 / np.sqrt(alpha))
    t0 = optimal_init("hinge", alpha, 0.1)
    assert t0 == pytest.approx(1.0 / (typw * alpha))
    assert learning_rate("optimal", 1, **{**kw, "optimal_init": t0}) == pytest.approx(typw)


def test_sgd_classifier_probabilities():
    X, y = _standardised("iris")
    for loss in ("log_loss", "modified_huber"):
        kw = {"loss": loss, "shuffle": False, "max_iter": 10, "tol": None}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours, ref = SGDClassifier(**kw).fit(X, y), skl.SGDClassifier(**kw).fit(X, y)
        np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-8)
        np.testing.assert_allclose(ours.predict_proba(X).sum(1), 1.0)
    assert not hasattr(SGDClassifier(loss="hinge"), "predict_proba")
    Xb, yb = _standardised("breast_cancer")
    clf = SGDClassifier(loss="log_loss", random_state=0).fit(Xb, yb)
    assert clf.predict_proba(Xb).shape == (len(yb), 2)
    np.testing.assert_array_equal(clf.predict_proba(Xb).argmax(1), clf.predict(Xb))


def test_sgd_bad_input_errors():
    X, y = _standardised("iris")
    with pytest.raises(NotFittedError, match="not fitted"):
        SGDClassifier().predict(X)
    with pytest.raises(ValueError, match="loss must be one of"):
        SGDClassifier(loss="squared_error").fit(X, y)
    with pytest.raises(ValueError, match="classes must be passed"):
        SGDClassifier().partial_fit(X, y)
    with pytest.raises(ValueError, match="not in classes"):
        SGDClassifier().partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="X has 3 features, but SGDRegressor"):
        SGDRegressor().fit(X, y).predict(X[:, :3])
    with pytest.raises(ValueError, match="only one class"):
        SGDClassifier().fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="overflow"):
        SGDRegressor(learning_rate="constant", eta0=1e10, penalty=None).fit(X * 1e150, y)
