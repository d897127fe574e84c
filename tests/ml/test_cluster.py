"""KMeans and MiniBatchKMeans against scikit-learn, plus its check_estimator."""

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from ml_checks import UNFITTED  # noqa: E402
from sklearn import cluster as skc  # noqa: E402
from sklearn.datasets import load_digits, load_iris, make_blobs  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from groundup.ml import NotFittedError  # noqa: E402
from groundup.ml._kmeans import kmeans_plusplus  # noqa: E402
from groundup.ml.cluster import KMeans, MiniBatchKMeans  # noqa: E402

_WEIGHTS = (
    "scikit-learn marks this check as an expected failure for its own KMeans and "
    "MiniBatchKMeans too: a weight of 2 changes the random draws of the seeding, so it "
    "is not equivalent to repeating the sample"
)
# A check that cannot pass goes here as {estimator: {check_name: reason}}.
EXPECTED_FAILED_CHECKS: dict = {
    name: {
        "check_estimators_unfitted": UNFITTED,
        "check_sample_weight_equivalence_on_dense_data": _WEIGHTS,
    }
    for name in ("KMeans", "MiniBatchKMeans")
}

DATASETS = {
    "blobs": lambda: make_blobs(3000, 10, centers=6, cluster_std=3.0, random_state=0)[0],
    "digits": lambda: load_digits(return_X_y=True)[0],
    "iris": lambda: load_iris(return_X_y=True)[0],
}


@parametrize_with_checks(
    [KMeans(n_init=2, n_clusters=2, max_iter=5), MiniBatchKMeans(n_clusters=2, batch_size=10)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)


def _same_fit(ours, ref, X, rtol=1e-10):
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=rtol)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=rtol, atol=1e-8)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_array_equal(ours.predict(X[:50]), ref.predict(X[:50]))


@pytest.mark.parametrize("name", list(DATASETS))
def test_kmeans_from_same_centers_matches_sklearn(name):
    X = DATASETS[name]()
    init = X[np.random.RandomState(1).choice(len(X), 8, replace=False)]
    ours = KMeans(init=init, n_init=1).fit(X)
    ref = skc.KMeans(init=init, n_init=1).fit(X)
    _same_fit(ours, ref, X)
    np.testing.assert_allclose(ours.transform(X[:20]), ref.transform(X[:20]), rtol=1e-9)
    assert ours.score(X) == pytest.approx(ref.score(X), rel=1e-10)


@pytest.mark.parametrize(
    "name, kw",
    [
        ("blobs", {}),
        ("blobs", {"init": "random"}),
        ("digits", {}),
        ("digits", {"n_init": 3, "n_clusters": 5}),
    ],
)
def test_kmeans_same_random_state_same_result(name, kw):
    """k-means++ and random seeding draw the same numbers as scikit-learn."""
    X = DATASETS[name]()
    ours = KMeans(random_state=0, **kw).fit(X)
    ref = skc.KMeans(random_state=0, **kw).fit(X)
    _same_fit(ours, ref, X)


def test_kmeans_plusplus_picks_sklearns_centers():
    X = DATASETS["digits"]()
    w = np.random.RandomState(0).uniform(0.5, 2.0, len(X))
    ours = kmeans_plusplus(X, 10, w, random_state=3)
    ref, _ = skc.kmeans_plusplus(X, 10, sample_weight=w, random_state=3)
    np.testing.assert_array_equal(ours, ref)


def test_kmeans_sample_weight_and_empty_cluster_relocation():
    X = DATASETS["blobs"]()
    w = np.random.RandomState(0).uniform(0.1, 3.0, len(X))
    init = np.vstack([X[:7], X[:7].mean(0) + 1e3])  # the last center gets no sample
    ours = KMeans(init=init, n_init=1).fit(X, sample_weight=w)
    ref = skc.KMeans(init=init, n_init=1).fit(X, sample_weight=w)
    _same_fit(ours, ref, X)
    assert len(np.unique(ours.labels_)) == 8


@pytest.mark.parametrize("kw", [{}, {"init": "random", "batch_size": 256}, {"tol": 1e-3}])
def test_minibatch_kmeans_same_random_state_same_result(kw):
    X = DATASETS["blobs"]()
    ours = MiniBatchKMeans(n_clusters=6, random_state=0, **kw).fit(X)
    ref = skc.MiniBatchKMeans(n_clusters=6, random_state=0, **kw).fit(X)
    assert ours.n_steps_ == ref.n_steps_
    _same_fit(ours, ref, X, rtol=1e-8)


def test_minibatch_kmeans_sample_weight_and_n_init_match_sklearn():
    X = DATASETS["blobs"]()
    w = np.random.RandomState(0).uniform(0.1, 3.0, len(X))
    kw = {"n_clusters": 6, "init": "random", "n_init": 3, "batch_size": 100, "random_state": 1}
    ours = MiniBatchKMeans(**kw).fit(X, sample_weight=w)
    ref = skc.MiniBatchKMeans(**kw).fit(X, sample_weight=w)
    assert ours.n_steps_ == ref.n_steps_
    _same_fit(ours, ref, X, rtol=1e-8)


def test_minibatch_kmeans_inertia_close_to_kmeans_on_digits():
    X = DATASETS["digits"]()
    full = skc.KMeans(n_clusters=10, random_state=0).fit(X).inertia_
    ours = MiniBatchKMeans(n_clusters=10, random_state=0).fit(X).inertia_
    assert ours < 1.05 * full


def test_kmeans_bad_input_errors():
    X = DATASETS["iris"]()
    with pytest.raises(NotFittedError, match="not fitted"):
        KMeans().predict(X)
    with pytest.raises(ValueError, match="n_samples=5 should be >= n_clusters=8"):
        KMeans().fit(X[:5])
    with pytest.raises(ValueError, match=r"init should be of shape \(3, 4\), got \(2, 4\)"):
        KMeans(n_clusters=3, init=X[:2]).fit(X)
    with pytest.raises(ValueError, match="init must be 'k-means\\+\\+', 'random'"):
        KMeans(init="kmeans").fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but KMeans"):
        KMeans(n_clusters=3, random_state=0).fit(X).predict(X[:, :3])
    with pytest.raises(ValueError, match="batch_size"):
        MiniBatchKMeans(batch_size=0).fit(X)


def test_kmeans_in_sklearn_pipeline():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = DATASETS["iris"]()
    ours = make_pipeline(StandardScaler(), KMeans(n_clusters=3, random_state=0)).fit(X)
    ref = make_pipeline(StandardScaler(), skc.KMeans(n_clusters=3, random_state=0)).fit(X)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-9)
