"""LogisticRegression vs scikit-learn, its L-BFGS vs scipy, Perceptron, check_estimator."""

import functools
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
scipy_optimize = pytest.importorskip("scipy.optimize")
from ml_checks import UNFITTED  # noqa: E402
from sklearn import linear_model as skl  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from groundup.ml._lbfgs import minimize_lbfgs  # noqa: E402
from groundup.ml.logistic import LogisticRegression, Perceptron  # noqa: E402
from groundup.ml.validation import ConvergenceWarning, NotFittedError  # noqa: E402

EXPECTED_FAILED_CHECKS: dict = {
    name: {"check_estimators_unfitted": UNFITTED} for name in ("LogisticRegression", "Perceptron")
}

LOADERS = {
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
    "iris": load_iris,
    "wine": load_wine,
}
TIGHT = {"tol": 1e-8, "max_iter": 10000}  # both sides run to the optimum


def _standardised(name):
    X, y = LOADERS[name](return_X_y=True)
    sd = X.std(0)
    return (X - X.mean(0)) / np.where(sd > 0, sd, 1.0), y  # digits has constant pixels


@functools.cache
def _sklearn_tight(name, C):
    """scikit-learn's lbfgs at the optimum, fitted once for both of our solvers."""
    return skl.LogisticRegression(C=C, **TIGHT).fit(*_standardised(name))


@pytest.fixture(autouse=True)
def _one_thread():
    """One BLAS/OpenMP thread: on a shared 2-core machine threads only oversubscribe it."""
    with threadpool_limits(limits=1):
        yield


def _rosenbrock(x):
    return scipy_optimize.rosen(x), scipy_optimize.rosen_der(x)


@pytest.mark.parametrize("x0", [[-1.2, 1.0], np.zeros(10), np.linspace(-2.0, 2.0, 20)])
def test_lbfgs_rosenbrock_matches_scipy_lbfgsb(x0):
    x0 = np.asarray(x0, dtype=float)
    ours = minimize_lbfgs(_rosenbrock, x0, gtol=1e-10, max_iter=10000)
    options = {"gtol": 1e-10, "ftol": 64 * np.finfo(float).eps, "maxiter": 10000, "maxls": 50}
    ref = scipy_optimize.minimize(_rosenbrock, x0, jac=True, method="L-BFGS-B", options=options)
    assert ours.converged and ref.success
    np.testing.assert_allclose(ours.x, ref.x, atol=1e-6)
    np.testing.assert_allclose(ours.x, 1.0, atol=1e-6)
    assert ours.fun == pytest.approx(ref.fun, abs=1e-12)
    assert abs(ours.n_iter - ref.nit) <= 0.2 * ref.nit  # the same method, not a slower one


def test_lbfgs_quadratic_exact_and_max_iter_reported():
    A = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]])
    b = np.array([1.0, -2.0, 0.5])
    res = minimize_lbfgs(lambda x: (0.5 * x @ A @ x - b @ x, A @ x - b), np.zeros(3), gtol=1e-12)
    assert res.converged
    np.testing.assert_allclose(res.x, np.linalg.solve(A, b), atol=1e-10)
    short = minimize_lbfgs(_rosenbrock, np.array([-1.2, 1.0]), max_iter=3)
    assert not short.converged and short.n_iter == 3 and short.message == "max_iter reached"
    assert short.fun < scipy_optimize.rosen(np.array([-1.2, 1.0]))


@parametrize_with_checks(
    [LogisticRegression(), LogisticRegression(solver="newton-cholesky"), Perceptron()],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cholesky"])
@pytest.mark.parametrize(
    "name, C",
    [(n, C) for n in ["breast_cancer", "iris", "wine"] for C in [0.1, 1.0, 10.0]]
    # digits at C=10: scikit-learn's own intercepts move by 2e-4 between tol=1e-8 and 1e-10
    + [("digits", 0.1), ("digits", 1.0)],
)
def test_logistic_matches_sklearn_lbfgs(name, C, solver):
    X, y = _standardised(name)
    ours = LogisticRegression(C=C, solver=solver, **TIGHT).fit(X, y)
    ref = _sklearn_tight(name, C)
    assert ours.coef_.shape == ref.coef_.shape
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-5)
    # digits: 64 features sum the ~1e-5 coefficient gaps left where both stop on ftol
    atol = 3e-4 if name == "digits" else 1e-4
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=atol)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("name", ["breast_cancer", "digits", "iris", "wine"])
def test_logistic_lbfgs_defaults_like_sklearn(name):
    X, y = _standardised(name)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    ours = LogisticRegression().fit(Xtr, ytr)
    ref = skl.LogisticRegression().fit(Xtr, ytr)
    assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.01
    assert np.mean(ours.predict(Xte) == ref.predict(Xte)) >= 0.99
    # the same stopping rule (max |gradient| <= tol) on the same objective
    assert abs(int(ours.n_iter_[0]) - int(ref.n_iter_[0])) <= 0.2 * ref.n_iter_[0] + 2


def test_logistic_max_iter_warns_convergence():
    X, y = _standardised("digits")
    with pytest.warns(ConvergenceWarning, match="lbfgs solver stopped at max_iter=3"):
        clf = LogisticRegression(max_iter=3).fit(X, y)
    assert clf.n_iter_[0] == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticRegression().fit(X, y)


def test_logistic_digits_and_large_make_classification_accuracy():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    Xtr, Xte, ytr, yte = X[:1400], X[1400:], y[:1400], y[1400:]
    ours = LogisticRegression().fit(Xtr, ytr)
    ref = skl.LogisticRegression(max_iter=1000).fit(Xtr, ytr)
    assert ours.score(Xte, yte) >= ref.score(Xte, yte) - 0.005
    X, y = make_classification(n_samples=20000, n_features=20, random_state=0)
    ours = LogisticRegression().fit(X[:15000], y[:15000])
    ref = skl.LogisticRegression().fit(X[:15000], y[:15000])
    assert ours.score(X[15000:], y[15000:]) >= ref.score(X[15000:], y[15000:]) - 0.002


def test_logistic_string_labels_and_proba():
    X, y = _standardised("iris")
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = LogisticRegression().fit(X, names)
    np.testing.assert_array_equal(clf.classes_, ["setosa", "versicolor", "virginica"])
    assert clf.predict(X).dtype.kind == "U"
    assert clf.score(X, names) > 0.95
    P = clf.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(P))


def test_logistic_float32_in_float32_out():
    X, y = _standardised("breast_cancer")
    clf = LogisticRegression().fit(X.astype(np.float32), y)
    assert clf.coef_.dtype == np.float32
    assert clf.decision_function(X.astype(np.float32)).dtype == np.float32


def test_logistic_bad_input_errors():
    X, y = _standardised("iris")
    with pytest.raises(NotFittedError, match="not fitted"):
        LogisticRegression().predict(X)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LogisticRegression().fit(X, y[:-1])
    Xn = X.copy()
    Xn[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LogisticRegression().fit(Xn, y)
    with pytest.raises(ValueError, match="X has 3 features, but .* expecting 4"):
        LogisticRegression().fit(X, y).predict(X[:, :3])
    with pytest.raises(ValueError, match="only one class"):
        LogisticRegression().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticRegression().fit(X, y + 0.5)
    with pytest.raises(ValueError, match="C == 0"):
        LogisticRegression(C=0).fit(X, y)
    with pytest.raises(ValueError, match="solver must be one of .* got 'newton'"):
        LogisticRegression(solver="newton").fit(X, y)


@pytest.mark.parametrize("name", ["breast_cancer", "iris", "wine"])
def test_perceptron_accuracy_near_sklearn(name):
    X, y = _standardised(name)
    ours = Perceptron().fit(X, y)
    ref = skl.Perceptron(random_state=0).fit(X, y)
    assert ours.coef_.shape == ref.coef_.shape
    # batch updates, not scikit-learn's shuffled per-sample SGD: accuracy, not weights
    assert ours.score(X, y) >= ref.score(X, y) - 0.03
    assert ours.n_iter_ == len(ours.loss_curve_)


def test_perceptron_separable_reaches_zero_loss():
    X = np.array([[-2.0, 0.0], [-1.0, 1.0], [1.0, -1.0], [2.0, 0.0]])
    clf = Perceptron().fit(X, ["a", "a", "b", "b"])
    assert clf.loss_curve_[-1] == 0.0
    np.testing.assert_array_equal(clf.predict(X), ["a", "a", "b", "b"])


def test_perceptron_bad_input_errors():
    X, y = _standardised("iris")
    with pytest.raises(NotFittedError, match="not fitted"):
        Perceptron().predict(X)
    with pytest.raises(ValueError, match="only one class"):
        Perceptron().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="X has 3 features, but .* expecting 4"):
        Perceptron().fit(X, y).predict(X[:, :3])


def test_logistic_inside_sklearn_pipeline_and_grid_search():
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_wine(return_X_y=True)
    ours = GridSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression()), {"logisticregression__C": [0.1, 1.0]}
    )
    ref = GridSearchCV(
        make_pipeline(StandardScaler(), skl.LogisticRegression()),
        {"logisticregression__C": [0.1, 1.0]},
    )
    ours.fit(X, y)
    ref.fit(X, y)
    assert ours.best_params_ == ref.best_params_
    assert ours.best_score_ == pytest.approx(ref.best_score_, abs=1e-9)
