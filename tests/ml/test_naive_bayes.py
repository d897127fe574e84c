"""Naive Bayes against scikit-learn, plus its check_estimator."""

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from ml_checks import UNFITTED  # noqa: E402
from sklearn import naive_bayes as sknb  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from groundup.ml import BernoulliNB, GaussianNB, MultinomialNB, NotFittedError  # noqa: E402

# A check that cannot pass goes here as {estimator: {check_name: reason}}.
EXPECTED_FAILED_CHECKS: dict = {
    name: {"check_estimators_unfitted": UNFITTED}
    for name in ("GaussianNB", "MultinomialNB", "BernoulliNB")
}

DATASETS = {
    "iris": lambda: load_iris(return_X_y=True),
    "wine": lambda: load_wine(return_X_y=True),
    "digits": lambda: load_digits(return_X_y=True),
    "cancer": lambda: load_breast_cancer(return_X_y=True),
    "blobs": lambda: make_classification(5000, 20, random_state=0),
}


def _split(name, nonneg=False):
    X, y = DATASETS[name]()
    if nonneg:
        X = X - X.min(axis=0)
    return X[::2], y[::2], X[1::2]


def _compare(ours, ref, Xte, attrs, rtol=1e-12):
    for a in attrs:
        np.testing.assert_allclose(getattr(ours, a), getattr(ref, a), rtol=rtol, atol=1e-12)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_array_equal(ours.predict(Xte), ref.predict(Xte))
    np.testing.assert_allclose(ours.predict_proba(Xte), ref.predict_proba(Xte), atol=1e-10)
    lp, lp_ref = ours.predict_log_proba(Xte), ref.predict_log_proba(Xte)
    finite = np.isfinite(lp_ref)
    np.testing.assert_allclose(lp[finite], lp_ref[finite], rtol=1e-9, atol=1e-9)


@parametrize_with_checks(
    [GaussianNB(), MultinomialNB(), BernoulliNB()],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("name", list(DATASETS))
def test_gaussian_nb_matches_sklearn(name):
    Xtr, ytr, Xte = _split(name)
    ours, ref = GaussianNB().fit(Xtr, ytr), sknb.GaussianNB().fit(Xtr, ytr)
    _compare(ours, ref, Xte, ["theta_", "var_", "class_prior_", "class_count_", "epsilon_"])


def test_gaussian_nb_partial_fit_and_priors_match_sklearn():
    Xtr, ytr, Xte = _split("wine")
    classes = np.unique(ytr)
    ours = GaussianNB(priors=[0.2, 0.3, 0.5])
    ref = sknb.GaussianNB(priors=[0.2, 0.3, 0.5])
    for part in np.array_split(np.arange(len(ytr)), 3):
        ours.partial_fit(Xtr[part], ytr[part], classes=classes)
        ref.partial_fit(Xtr[part], ytr[part], classes=classes)
    _compare(ours, ref, Xte, ["theta_", "var_", "class_prior_", "class_count_", "epsilon_"])


@pytest.mark.parametrize("kw", [{}, {"alpha": 0.3, "fit_prior": False}])
@pytest.mark.parametrize("name", ["iris", "digits", "cancer", "blobs"])
def test_multinomial_nb_matches_sklearn(name, kw):
    Xtr, ytr, Xte = _split(name, nonneg=True)
    ours, ref = MultinomialNB(**kw).fit(Xtr, ytr), sknb.MultinomialNB(**kw).fit(Xtr, ytr)
    _compare(ours, ref, Xte, ["feature_count_", "class_count_", "feature_log_prob_"])


@pytest.mark.parametrize("kw", [{}, {"alpha": 0.5, "binarize": 4.0}, {"fit_prior": False}])
@pytest.mark.parametrize("name", ["digits", "wine", "blobs"])
def test_bernoulli_nb_matches_sklearn(name, kw):
    Xtr, ytr, Xte = _split(name)
    ours, ref = BernoulliNB(**kw).fit(Xtr, ytr), sknb.BernoulliNB(**kw).fit(Xtr, ytr)
    _compare(ours, ref, Xte, ["feature_count_", "class_count_", "feature_log_prob_"])


def test_naive_bayes_float32_and_string_labels():
    X, y = load_iris(return_X_y=True)
    X32 = X.astype(np.float32)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    ours, ref = GaussianNB().fit(X32, labels), sknb.GaussianNB().fit(X32, labels)
    assert ours.theta_.dtype == ours.var_.dtype == ref.theta_.dtype == np.float32
    proba = ours.predict_proba(X32)
    assert proba.dtype == ref.predict_proba(X32).dtype
    np.testing.assert_allclose(proba, ref.predict_proba(X32), atol=1e-5)
    np.testing.assert_array_equal(ours.predict(X32), ref.predict(X32))


@pytest.mark.parametrize("cls", [GaussianNB, MultinomialNB, BernoulliNB])
def test_naive_bayes_bad_input_errors(cls):
    X, y = load_iris(return_X_y=True)
    with pytest.raises(NotFittedError, match="not fitted"):
        cls().predict(X)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        cls().fit(X, y[:-1])
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        cls().fit(Xn, y)
    with pytest.raises(ValueError, match=f"X has 3 features, but {cls.__name__}"):
        cls().fit(X, y).predict(X[:, :3])
    with pytest.raises(ValueError, match="only one class"):
        cls().fit(X, np.zeros(len(X)))


def test_naive_bayes_specific_errors():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="Negative values"):
        MultinomialNB().fit(X - 3.0, y)
    with pytest.raises(ValueError, match="classes must be passed"):
        GaussianNB().partial_fit(X, y)
    with pytest.raises(ValueError, match="sum of the priors"):
        GaussianNB(priors=[0.5, 0.5, 0.5]).fit(X, y)
    with pytest.raises(ValueError, match="do not exist in the initial classes"):
        GaussianNB().partial_fit(X[:100], y[:100], classes=[0, 1]).partial_fit(X, y)


def test_gaussian_nb_in_sklearn_grid_search_matches():
    from sklearn.model_selection import GridSearchCV

    X, y = load_breast_cancer(return_X_y=True)
    grid = {"var_smoothing": [1e-9, 1e-6, 1e-3]}
    ours = GridSearchCV(GaussianNB(), grid, cv=3).fit(X, y)
    ref = GridSearchCV(sknb.GaussianNB(), grid, cv=3).fit(X, y)
    assert ours.best_params_ == ref.best_params_
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], atol=1e-12
    )
