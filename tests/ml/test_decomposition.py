"""PCA and TruncatedSVD against scikit-learn, plus its check_estimator."""

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn import decomposition as skd  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_digits, load_iris  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from groundup.ml import NotFittedError  # noqa: E402
from groundup.ml.decomposition import PCA, TruncatedSVD  # noqa: E402

# A check that cannot pass goes here as {estimator: {check_name: reason}}; none for these
# two (check_estimators_unfitted does not apply to transformers without predict).
EXPECTED_FAILED_CHECKS: dict = {}

DATASETS = {
    "digits": lambda: load_digits(return_X_y=True)[0],
    "cancer": lambda: load_breast_cancer(return_X_y=True)[0],
    "wide": lambda: np.random.RandomState(0).standard_normal((60, 200)),
}
ATTRS = ["explained_variance_", "explained_variance_ratio_", "singular_values_", "mean_"]


@parametrize_with_checks(
    [PCA(), TruncatedSVD(n_components=1, n_iter=5)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)


def _distinct(variance):
    """Components whose variance is nonzero and apart from its neighbours' (well defined)."""
    gaps = np.abs(np.diff(variance))
    apart = np.minimum(np.r_[np.inf, gaps], np.r_[gaps, np.inf]) > 1e-6 * variance[0]
    return apart & (variance > 1e-9 * variance[0])


def _same_pca(ours, ref, X, attrs=ATTRS):
    assert ours.n_components_ == ref.n_components_
    top = ref.explained_variance_[0]  # eigh and SVD round the ~0 variances differently
    for a in attrs:
        np.testing.assert_allclose(getattr(ours, a), getattr(ref, a), rtol=1e-6, atol=1e-8 * top)
    np.testing.assert_allclose(
        ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=0, atol=1e-8
    )
    assert ours.noise_variance_ == pytest.approx(ref.noise_variance_, rel=1e-6, abs=1e-8 * top)
    ok = _distinct(ref.explained_variance_)
    # components equal, not only up to sign: the same svd_flip convention
    np.testing.assert_allclose(ours.components_[ok], ref.components_[ok], atol=1e-8)
    Z, Z_ref = ours.transform(X), ref.transform(X)
    np.testing.assert_allclose(Z[:, ok], Z_ref[:, ok], rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(ours.inverse_transform(Z), ref.inverse_transform(Z_ref), atol=1e-7)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"n_components": 5},
        {"n_components": 0.9},
        {"n_components": "mle"},
        {"n_components": 5, "svd_solver": "full", "whiten": True},
        {"n_components": 8, "svd_solver": "covariance_eigh"},
        {"n_components": 8, "svd_solver": "randomized", "random_state": 0},
    ],
)
@pytest.mark.parametrize("name", list(DATASETS))
def test_pca_matches_sklearn(name, kw):
    X = DATASETS[name]()
    if kw.get("n_components") == "mle" and name == "wide":
        pytest.skip("mle needs n_samples >= n_features")
    if kw.get("svd_solver") == "randomized" and name == "wide":
        pytest.skip(
            "on a flat spectrum randomized SVD is only approximate, and its answer depends on "
            "the rounding of the power-iteration normaliser (LU there, QR here)"
        )
    ours, ref = PCA(**kw).fit(X), skd.PCA(**kw).fit(X)
    _same_pca(ours, ref, X)
    ok = _distinct(ref.explained_variance_)
    np.testing.assert_allclose(ours.fit_transform(X)[:, ok], ref.fit_transform(X)[:, ok], atol=1e-7)


@pytest.mark.parametrize(
    "kw", [{}, {"n_components": 8}, {"algorithm": "arpack", "n_components": 8}]
)
@pytest.mark.parametrize("name", ["digits", "cancer", "wide"])
def test_truncated_svd_matches_sklearn(name, kw):
    X = DATASETS[name]()
    ours = TruncatedSVD(random_state=0, **kw).fit(X)
    ref = skd.TruncatedSVD(random_state=0, **kw).fit(X)
    for a in ["explained_variance_ratio_", "explained_variance_", "singular_values_"]:
        np.testing.assert_allclose(getattr(ours, a), getattr(ref, a), rtol=1e-6)
    ok = _distinct(ref.singular_values_**2)
    np.testing.assert_allclose(ours.components_[ok], ref.components_[ok], atol=1e-7)
    np.testing.assert_allclose(ours.transform(X)[:, ok], ref.transform(X)[:, ok], atol=1e-6)
    np.testing.assert_allclose(
        ours.inverse_transform(ours.transform(X)),
        ref.inverse_transform(ref.transform(X)),
        atol=1e-6,
    )


def test_pca_float32_input_and_names():
    X = load_iris(return_X_y=True)[0].astype(np.float32)
    ours = PCA(n_components=2).fit(X)
    ref = skd.PCA(n_components=2).fit(X.astype(np.float64))  # the same values, in float64
    np.testing.assert_allclose(
        ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-9
    )
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())


def test_pca_bad_input_errors():
    X = load_iris(return_X_y=True)[0]
    with pytest.raises(NotFittedError, match="not fitted"):
        PCA().transform(X)
    with pytest.raises(ValueError, match="n_components=5 must be between 0 and"):
        PCA(n_components=5).fit(X)
    with pytest.raises(ValueError, match="svd_solver must be"):
        PCA(svd_solver="lobpcg").fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but PCA"):
        PCA(n_components=2).fit(X).transform(X[:, :3])
    with pytest.raises(ValueError, match="NaN"):
        PCA().fit(np.where(X > 7, np.nan, X))
    with pytest.raises(ValueError, match=r"n_components\(5\) must be <= n_features\(4\)"):
        TruncatedSVD(n_components=5).fit(X)


def test_pca_in_sklearn_pipeline_grid_search():
    from sklearn.model_selection import GridSearchCV
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import Pipeline

    X, y = load_digits(return_X_y=True)
    grid = {"pca__n_components": [5, 15]}

    def search(pca):
        pipe = Pipeline([("pca", pca), ("nb", GaussianNB())])
        return GridSearchCV(pipe, grid, cv=3).fit(X, y)

    ours, ref = search(PCA()), search(skd.PCA())
    assert ours.best_params_ == ref.best_params_
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], atol=1e-9
    )
