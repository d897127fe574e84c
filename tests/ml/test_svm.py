"""SVC (SMO) and LinearSVC (liblinear's solvers) against scikit-learn, plus check_estimator."""

import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from ml_checks import UNFITTED  # noqa: E402
from sklearn import svm as sksvm  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
)
from sklearn.metrics import pairwise  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from groundup.ml._smo import KernelCache, smo_solve  # noqa: E402
from groundup.ml._svm_platt import pairwise_coupling, sigmoid_train  # noqa: E402
from groundup.ml.kernels import kernel_diagonal, pairwise_kernel, resolve_gamma  # noqa: E402
from groundup.ml.svm import SVC, LinearSVC  # noqa: E402
from groundup.ml.validation import NotFittedError  # noqa: E402

EXPECTED_FAILED_CHECKS: dict = {
    "SVC": {"check_estimators_unfitted": UNFITTED},
    "LinearSVC": {"check_estimators_unfitted": UNFITTED},
}


def _data(name):
    loader = {"iris": load_iris, "wine": load_wine, "cancer": load_breast_cancer}
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        return X / 16.0, y
    X, y = loader[name](return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


@parametrize_with_checks(
    [SVC(), LinearSVC()],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("kernel", ["rbf", "linear", "poly", "sigmoid"])
@pytest.mark.parametrize("name", ["iris", "wine", "cancer", "digits"])
def test_svc_matches_sklearn_at_default_tol(name, kernel):
    X, y = _data(name)
    kw = {"kernel": kernel, "decision_function_shape": "ovo"}
    ours, ref = SVC(**kw).fit(X, y), sksvm.SVC(**kw).fit(X, y)
    np.testing.assert_array_equal(ours.support_, ref.support_)
    np.testing.assert_array_equal(ours.n_support_, ref.n_support_)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    # both stop once the largest KKT violation is below tol = 1e-3, so the dual solutions
    # (and the pairwise decision values) may differ by a few tol; sigmoid on digits is the
    # worst. ("ovr" scores add votes, which jump by 1 where a pairwise value is near 0.)
    atol = 2e-2 if (name, kernel) == ("digits", "sigmoid") else 5e-3
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=atol)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=atol)
    np.testing.assert_allclose(ours.support_vectors_, ref.support_vectors_)


@pytest.mark.parametrize(
    "name, kernel",
    [
        ("iris", "linear"),
        ("wine", "poly"),
        ("cancer", "rbf"),
        ("cancer", "sigmoid"),
        ("digits", "rbf"),
    ],
)
def test_svc_matches_sklearn_at_tight_tol(name, kernel):
    X, y = _data(name)
    kw = {"kernel": kernel, "tol": 1e-5, "decision_function_shape": "ovo"}
    ours, ref = SVC(**kw).fit(X, y), sksvm.SVC(**kw).fit(X, y)
    np.testing.assert_array_equal(ours.support_, ref.support_)
    np.testing.assert_allclose(ours.dual_coef_, ref.dual_coef_, atol=2e-4)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=5e-5)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-4)
    if kernel == "linear":
        np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)


def test_svc_options_match_sklearn():
    X, y = _data("wine")
    for kw in [
        {"C": 0.1, "gamma": "auto"},
        {"C": 10.0, "gamma": 0.05, "class_weight": "balanced"},
        {"kernel": "poly", "degree": 2, "coef0": 1.0, "class_weight": {0: 3.0}},
        {"break_ties": True},
    ]:
        ours, ref = SVC(**kw).fit(X, y), sksvm.SVC(**kw).fit(X, y)
        np.testing.assert_array_equal(ours.support_, ref.support_)
        np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=5e-3)
        np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_svc_binary_sign_convention_and_string_labels():
    X, y = _data("cancer")
    labels = np.array(["malignant", "benign"])[y]
    ours, ref = SVC().fit(X, labels), sksvm.SVC().fit(X, labels)
    np.testing.assert_allclose(ours.dual_coef_, ref.dual_coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-5)
    dec = ours.decision_function(X)
    assert dec.shape == (len(y),)
    np.testing.assert_array_equal(ours.predict(X), ours.classes_[(dec > 0).astype(int)])
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_svc_lru_cache_gives_the_same_model():
    X, y = _data("cancer")
    full = SVC().fit(X, y)
    rows = SVC(cache_size=0.5).fit(X, y)  # 0.5 MB < 569^2 * 8 bytes: rows on demand
    np.testing.assert_array_equal(rows.support_, full.support_)
    np.testing.assert_allclose(rows.dual_coef_, full.dual_coef_, atol=1e-12)
    np.testing.assert_array_equal(rows.n_iter_, full.n_iter_)


def test_smo_solution_satisfies_kkt():
    X, y = _data("iris")
    s = np.where(y == 0, 1.0, -1.0)
    C = 1.0
    cache = KernelCache(X, lambda A, B: A @ B.T, np.einsum("ij,ij->i", X, X))
    a, rho, _ = smo_solve(
        cache, np.arange(len(y))[None], s[None], np.full((1, len(y)), C), tol=1e-8
    )
    a, f = a[0], (X @ X.T) @ (a[0] * s) - rho[0]
    assert abs(a @ s) < 1e-10 and (a >= 0).all() and (a <= C).all()
    margin = s * f
    assert (margin[a == 0] >= 1 - 1e-6).all() and (margin[a == C] <= 1 + 1e-6).all()
    free = (a > 0) & (a < C)
    np.testing.assert_allclose(margin[free], 1.0, atol=1e-6)


@pytest.mark.parametrize("name", ["iris", "cancer", "digits"])
def test_svc_probabilities_close_to_sklearn(name):
    # scikit-learn's are cross-validated with its own random folds: close, not equal
    X, y = _data(name)
    Xtr, Xte, ytr, yte = X[::2], X[1::2], y[::2], y[1::2]
    ours = SVC(probability=True, random_state=0).fit(Xtr, ytr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # deprecated in scikit-learn 1.9
        ref = sksvm.SVC(probability=True, random_state=0).fit(Xtr, ytr)
        P_ref, A_ref = ref.predict_proba(Xte), ref.probA_
    P = ours.predict_proba(Xte)
    np.testing.assert_allclose(P.sum(1), 1.0, atol=1e-9)
    assert np.abs(P - P_ref).mean() < 0.02 and np.abs(P - P_ref).max() < 0.15
    np.testing.assert_allclose(ours.probA_, A_ref, rtol=0.15)
    log_loss = [-np.mean(np.log(Q[np.arange(len(yte)), yte])) for Q in (P, P_ref)]
    assert abs(log_loss[0] - log_loss[1]) < 0.01
    assert (P.argmax(1) == ours.predict(Xte)).mean() > 0.95
    assert not hasattr(SVC(), "predict_proba")


def test_platt_sigmoid_and_coupling():
    # separable scores: Platt's smoothed targets 4/5 and 1/5 keep the slope finite, and
    # (A, B) is where the cross-entropy's gradient vanishes; symmetric data gives B = 0
    f = np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0])
    A, B = sigmoid_train(f, f > 0)
    t, p = np.where(f > 0, 0.8, 0.2), 1.0 / (1.0 + np.exp(A * f + B))
    assert A < 0 and abs(B) < 1e-9
    assert abs(np.sum(f * (t - p))) < 1e-5 and abs(np.sum(t - p)) < 1e-5
    # two classes: coupling returns r itself; three consistent ratios: the exact solution
    r = np.array([[[0.0, 0.7], [0.3, 0.0]]])
    np.testing.assert_allclose(pairwise_coupling(r), [[0.7, 0.3]], atol=1e-3)
    p = np.array([0.5, 0.3, 0.2])
    R = p[:, None] / (p[:, None] + p[None, :])
    np.fill_diagonal(R, 0.0)
    np.testing.assert_allclose(pairwise_coupling(R[None]), [p], atol=1e-3)


@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf", "sigmoid"])
def test_kernels_match_sklearn_pairwise(kernel):
    rng = np.random.default_rng(0)
    X, Z = rng.normal(size=(20, 5)), rng.normal(size=(7, 5))
    params = {"gamma": 0.3, "coef0": 0.5, "degree": 3}
    ours = pairwise_kernel(X, Z, kernel, **params)
    ref = pairwise.pairwise_kernels(
        X, Z, metric=kernel, **{k: v for k, v in params.items() if k in _SK_PARAMS[kernel]}
    )
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)
    full = pairwise_kernel(X, X, kernel, **params)
    np.testing.assert_allclose(kernel_diagonal(X, kernel, **params), np.diag(full), rtol=1e-12)


_SK_PARAMS = {
    "linear": (),
    "poly": ("gamma", "coef0", "degree"),
    "rbf": ("gamma",),
    "sigmoid": ("gamma", "coef0"),
}


def test_gamma_scale_and_auto_as_sklearn():
    X, y = _data("digits")
    assert resolve_gamma("scale", X) == pytest.approx(1.0 / (X.shape[1] * X.var()))
    assert resolve_gamma("auto", X) == 1.0 / 64
    with pytest.raises(ValueError, match="gamma must be"):
        resolve_gamma("big", X)


@pytest.mark.parametrize("name", ["cancer", "iris", "wine"])
@pytest.mark.parametrize(
    "kw",
    [
        {"dual": True},
        {"dual": False},
        {"loss": "hinge"},
        {"C": 0.1, "intercept_scaling": 3.0, "dual": True},
        {"fit_intercept": False, "dual": False, "class_weight": "balanced"},
    ],
)
def test_linear_svc_matches_sklearn(name, kw):
    X, y = _data(name)
    kw = {"tol": 1e-6, "max_iter": 20000, "random_state": 0, **kw}
    ours, ref = LinearSVC(**kw).fit(X, y), sksvm.LinearSVC(**kw).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-3, atol=1e-4)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_linear_svc_defaults_close_to_sklearn():
    X, y = _data("cancer")
    ours, ref = LinearSVC().fit(X, y), sksvm.LinearSVC().fit(X, y)
    assert ours.score(X, y) == ref.score(X, y)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=5e-2)


def test_svm_bad_input_errors():
    X, y = _data("iris")
    for est in (SVC(), LinearSVC()):
        name = type(est).__name__
        with pytest.raises(NotFittedError, match="not fitted"):
            est.predict(X)
        with pytest.raises(ValueError, match=f"X has 3 features, but {name}"):
            est.fit(X, y).predict(X[:, :3])
        with pytest.raises(ValueError, match="only one class"):
            est.fit(X, np.zeros(len(X)))
        with pytest.raises(ValueError, match="C == 0"):
            type(est)(C=0).fit(X, y)
    with pytest.raises(ValueError, match="kernel must be one of"):
        SVC(kernel="cosine").fit(X, y)
    with pytest.raises(ValueError, match="not supported with dual=False"):
        LinearSVC(loss="hinge", dual=False).fit(X, y)
    with pytest.raises(AttributeError, match="linear kernel"):
        SVC().fit(X, y).coef_  # noqa: B018
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="did not converge"):
            LinearSVC(dual=True, max_iter=2).fit(X, y)


def test_svc_in_sklearn_pipeline_and_grid_search_matches():
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_wine(return_X_y=True)
    grid = {"svc__C": [0.1, 1.0, 10.0], "svc__gamma": ["scale", 0.01]}
    ours = GridSearchCV(make_pipeline(StandardScaler(), SVC()), grid, cv=3).fit(X, y)
    ref = GridSearchCV(make_pipeline(StandardScaler(), sksvm.SVC()), grid, cv=3).fit(X, y)
    assert ours.best_params_ == ref.best_params_
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], atol=1e-12
    )
