"""k-nearest neighbours against scikit-learn's brute force, plus its check_estimator."""

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from ml_checks import UNFITTED  # noqa: E402
from sklearn import neighbors as skn  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from groundup.ml import KNeighborsClassifier, KNeighborsRegressor, NotFittedError  # noqa: E402

# A check that cannot pass goes here as {estimator: {check_name: reason}}.
EXPECTED_FAILED_CHECKS: dict = {
    name: {"check_estimators_unfitted": UNFITTED}
    for name in ("KNeighborsClassifier", "KNeighborsRegressor")
}

DATASETS = {
    "iris": lambda: load_iris(return_X_y=True),
    "wine": lambda: load_wine(return_X_y=True),
    "digits": lambda: load_digits(return_X_y=True),
    "blobs": lambda: make_classification(5000, 20, random_state=0),
}
PARAMS = [{}, {"weights": "distance"}, {"metric": "manhattan"}, {"p": 3, "n_neighbors": 7}]


def _split(name):
    X, y = DATASETS[name]()
    return X[::2], y[::2], X[1::2]


def _untied(ref, X, k):
    """Rows whose k-th and (k+1)-th neighbour distances differ by more than rounding.

    scikit-learn keeps tied neighbours in heap order (it depends on its thread count), so
    only those rows have a well-defined neighbour set; ours keeps the smaller index.
    Distances equal in exact arithmetic can differ in the last bits (the GEMM identity
    rounds differently from chunk to chunk), so "tied" means within 1e-9 relative.
    """
    d, _ = ref.kneighbors(X, n_neighbors=k + 1)
    return ~np.isclose(d[:, k - 1], d[:, k], rtol=1e-9, atol=1e-12)


@parametrize_with_checks(
    [KNeighborsClassifier(), KNeighborsRegressor()],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("kw", PARAMS)
@pytest.mark.parametrize("name", list(DATASETS))
def test_kneighbors_classifier_matches_sklearn(name, kw):
    Xtr, ytr, Xte = _split(name)
    ours = KNeighborsClassifier(**kw).fit(Xtr, ytr)
    ref = skn.KNeighborsClassifier(algorithm="brute", **kw).fit(Xtr, ytr)
    ok = _untied(ref, Xte, ours.n_neighbors)
    # iris's one-decimal values tie at the k-th distance in up to half the rows (manhattan)
    assert ok.mean() > (0.45 if name == "iris" else 0.85)
    np.testing.assert_array_equal(ours.predict(Xte)[ok], ref.predict(Xte)[ok])
    np.testing.assert_allclose(
        ours.predict_proba(Xte)[ok], ref.predict_proba(Xte)[ok], rtol=0, atol=1e-10
    )
    d, i = ours.kneighbors(Xte)
    d_ref, i_ref = ref.kneighbors(Xte)
    np.testing.assert_allclose(d, d_ref, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(np.sort(i[ok], 1), np.sort(i_ref[ok], 1))


@pytest.mark.parametrize("kw", PARAMS)
def test_kneighbors_regressor_matches_sklearn(kw):
    X, y = load_diabetes(return_X_y=True)
    Xtr, ytr, Xte = X[::2], y[::2], X[1::2]
    ours = KNeighborsRegressor(**kw).fit(Xtr, ytr)
    ref = skn.KNeighborsRegressor(algorithm="brute", **kw).fit(Xtr, ytr)
    np.testing.assert_allclose(ours.predict(Xte), ref.predict(Xte), rtol=1e-10, atol=1e-10)
    assert ours.score(Xte, y[1::2]) == pytest.approx(ref.score(Xte, y[1::2]), abs=1e-10)


def test_kneighbors_chunks_give_the_same_answer(monkeypatch):
    from groundup.ml import _distances

    Xtr, ytr, Xte = _split("wine")
    for metric in ("manhattan", "euclidean"):
        whole = KNeighborsClassifier(metric=metric).fit(Xtr, ytr).kneighbors(Xte)
        monkeypatch.setattr(_distances, "CHUNK_BYTES", 8000)  # a few query rows per chunk
        chunked = KNeighborsClassifier(metric=metric).fit(Xtr, ytr).kneighbors(Xte)
        monkeypatch.undo()
        np.testing.assert_array_equal(whole[1], chunked[1])
        # a GEMM over fewer rows may round differently in the last bits
        np.testing.assert_allclose(whole[0], chunked[0], rtol=1e-12)


def test_kneighbors_without_x_excludes_self():
    Xtr, ytr, _ = _split("wine")
    ours = KNeighborsClassifier().fit(Xtr, ytr)
    ref = skn.KNeighborsClassifier(algorithm="brute").fit(Xtr, ytr)
    d, i = ours.kneighbors(n_neighbors=3)
    d_ref, i_ref = ref.kneighbors(n_neighbors=3)
    np.testing.assert_array_equal(i, i_ref)
    np.testing.assert_allclose(d, d_ref, atol=1e-9)
    assert ours.kneighbors(Xtr[:4], 2, return_distance=False).shape == (4, 2)


def test_kneighbors_distance_weights_exact_match_takes_all():
    clf = KNeighborsClassifier(n_neighbors=3, weights="distance")
    clf.fit([[0.0], [1.0], [1.1]], ["a", "b", "b"])
    np.testing.assert_array_equal(clf.predict_proba([[0.0]]), [[1.0, 0.0]])
    assert clf.predict([[0.0]])[0] == "a"


def test_kneighbors_float32_input():
    X, y = load_iris(return_X_y=True)
    clf = KNeighborsClassifier().fit(X.astype(np.float32), y)
    ref = skn.KNeighborsClassifier(algorithm="brute").fit(X.astype(np.float32), y)
    np.testing.assert_array_equal(clf.predict(X.astype(np.float32)), ref.predict(X))


def test_kneighbors_bad_input_errors():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(NotFittedError, match="not fitted"):
        KNeighborsClassifier().predict(X)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        KNeighborsClassifier().fit(X, y[:-1])
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        KNeighborsRegressor().fit(Xn, y)
    clf = KNeighborsClassifier().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but KNeighborsClassifier"):
        clf.predict(X[:, :3])
    with pytest.raises(ValueError, match="only one class"):
        KNeighborsClassifier().fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="n_neighbors <= n_samples_fit"):
        KNeighborsClassifier(n_neighbors=200).fit(X, y).predict(X)
    with pytest.raises(ValueError, match="weights"):
        KNeighborsClassifier(weights="gaussian").fit(X, y)
    with pytest.raises(ValueError, match="continuous"):
        KNeighborsClassifier().fit(X, y + 0.5)


def test_kneighbors_in_sklearn_grid_search_matches():
    from sklearn.model_selection import GridSearchCV

    X, y = load_wine(return_X_y=True)
    grid = {"n_neighbors": [1, 3, 7], "weights": ["uniform", "distance"]}
    ours = GridSearchCV(KNeighborsClassifier(), grid, cv=3).fit(X, y)
    ref = GridSearchCV(skn.KNeighborsClassifier(algorithm="brute"), grid, cv=3).fit(X, y)
    assert ours.best_params_ == ref.best_params_
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], atol=1e-12
    )


@pytest.mark.parametrize("n, k", [(40, 3), (500, 1), (500, 5), (2001, 7)])
def test_k_smallest_matches_stable_sort_with_many_ties(n, k):
    """The group bound and its fallbacks against a stable sort (ties: lower index first)."""
    from groundup.ml._distances import k_smallest

    d = np.random.RandomState(n).randint(0, 30, size=(200, n)).astype(np.float64)
    expected = np.sort(np.argsort(d, axis=1, kind="stable")[:, :k], axis=1)
    np.testing.assert_array_equal(np.sort(k_smallest(d, k), axis=1), expected)
    d += np.random.RandomState(0).uniform(0, 1e-3, d.shape)  # distinct values: no fallback
    expected = np.sort(np.argsort(d, axis=1, kind="stable")[:, :k], axis=1)
    np.testing.assert_array_equal(np.sort(k_smallest(d, k), axis=1), expected)
