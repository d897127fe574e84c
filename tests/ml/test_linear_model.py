"""LinearRegression, Ridge and Lasso against scikit-learn, plus its check_estimator."""

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from ml_checks import UNFITTED  # noqa: E402
from sklearn import linear_model as skl  # noqa: E402
from sklearn.datasets import load_diabetes  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from groundup.ml.linear_model import Lasso, LinearRegression, Ridge  # noqa: E402
from groundup.ml.validation import NotFittedError  # noqa: E402

# A check that cannot pass goes here as {estimator: {check_name: reason}}.
EXPECTED_FAILED_CHECKS: dict = {
    name: {"check_estimators_unfitted": UNFITTED} for name in ("LinearRegression", "Ridge", "Lasso")
}


def _diabetes():
    return load_diabetes(return_X_y=True)


@parametrize_with_checks(
    [LinearRegression(), Ridge(), Ridge(solver="svd"), Lasso()],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_linear_regression_matches_sklearn(fit_intercept):
    X, y = _diabetes()
    ours = LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    ref = skl.LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-6)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-9)


@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd"])
@pytest.mark.parametrize("alpha", [0.01, 1.0, 100.0])
def test_ridge_matches_sklearn(solver, alpha):
    X, y = _diabetes()
    ours = Ridge(alpha=alpha, solver=solver).fit(X, y)
    ref = skl.Ridge(alpha=alpha).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6)


def test_ridge_float32_in_float32_out():
    X, y = _diabetes()
    ours = Ridge().fit(X.astype(np.float32), y.astype(np.float32))
    assert ours.coef_.dtype == np.float32
    assert ours.predict(X.astype(np.float32)).dtype == np.float32
    ref = skl.Ridge().fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-3)


def test_ridge_gd_records_loss_and_approaches_closed_form():
    X, y = _diabetes()
    X = (X - X.mean(0)) / X.std(0)
    gd = Ridge(alpha=1.0, solver="gd", learning_rate=0.2, max_iter=20000).fit(X, y)
    closed = Ridge(alpha=1.0).fit(X, y)
    assert len(gd.loss_curve_) == 20000
    assert np.all(np.diff(gd.loss_curve_) <= 1e-9)
    r, w = y - closed.predict(X), closed.coef_
    assert gd.loss_curve_[-1] == pytest.approx((r @ r + w @ w) / (2 * len(y)), rel=1e-6)
    np.testing.assert_allclose(gd.coef_, closed.coef_, rtol=1e-2, atol=0.1)


@pytest.mark.parametrize("alpha", [0.01, 0.1, 1.0])
def test_lasso_matches_sklearn(alpha):
    X, y = _diabetes()
    ours = Lasso(alpha=alpha, tol=1e-8, max_iter=10000).fit(X, y)
    ref = skl.Lasso(alpha=alpha, tol=1e-8, max_iter=10000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-4)
    assert ours.n_iter_ == ref.n_iter_


def test_lasso_default_tol_close_to_sklearn():
    X, y = _diabetes()
    ours, ref = Lasso(alpha=0.1).fit(X, y), skl.Lasso(alpha=0.1).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-4, atol=1e-4)
    assert ours.dual_gap_ == pytest.approx(ref.dual_gap_, rel=1e-3, abs=1e-6)


def test_lasso_large_alpha_zeroes_all_coefficients():
    X, y = _diabetes()
    m = Lasso(alpha=1e6).fit(X, y)
    np.testing.assert_array_equal(m.coef_, 0.0)
    assert m.intercept_ == pytest.approx(y.mean())


@pytest.mark.parametrize("Est", [LinearRegression, Ridge, Lasso])
def test_regressor_bad_input_errors(Est):
    X, y = _diabetes()
    with pytest.raises(NotFittedError, match="not fitted"):
        Est().predict(X)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Est().fit(X, y[:-1])
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Est().fit(Xn, y)
    with pytest.raises(ValueError, match="X has 9 features, but .* expecting 10"):
        Est().fit(X, y).predict(X[:, :9])


def test_ridge_rejects_bad_solver_and_alpha():
    X, y = _diabetes()
    with pytest.raises(ValueError, match="solver"):
        Ridge(solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="alpha"):
        Ridge(alpha=-1.0).fit(X, y)
