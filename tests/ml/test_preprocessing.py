"""Scalers, encoders and polynomial features against scikit-learn, plus its check_estimator."""

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn import preprocessing as skp  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from groundup.ml import (  # noqa: E402
    LabelEncoder,
    MinMaxScaler,
    NotFittedError,
    OneHotEncoder,
    PolynomialFeatures,
    StandardScaler,
)

# check_estimator results (scikit-learn 1.9; pandas absent, so its DataFrame checks skip):
# StandardScaler 54 checks, MinMaxScaler 47, PolynomialFeatures 47, OneHotEncoder 46; none
# fails. A check that cannot pass goes here as {estimator: {check_name: reason}}.
EXPECTED_FAILED_CHECKS: dict = {}


def _data(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 4)) * [1.0, 10.0, 0.1, 0.0] + [0.0, 5.0, -3.0, 7.0]
    return X.astype(dtype)


@parametrize_with_checks(
    [StandardScaler(), MinMaxScaler(), PolynomialFeatures(), OneHotEncoder()],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kw", [{}, {"with_mean": False}, {"with_std": False}])
def test_standard_scaler_matches_sklearn(dtype, kw):
    X = _data(dtype)
    ours, ref = StandardScaler(**kw).fit(X), skp.StandardScaler(**kw).fit(X)
    for name in ("mean_", "var_", "scale_"):
        a, b = getattr(ours, name), getattr(ref, name)
        if b is None:
            assert a is None
        else:
            np.testing.assert_array_equal(a, b)
    assert ours.n_samples_seen_ == ref.n_samples_seen_
    Z = ours.transform(X)
    assert Z.dtype == dtype
    np.testing.assert_array_equal(Z, ref.transform(X))
    np.testing.assert_array_equal(ours.inverse_transform(Z), ref.inverse_transform(Z))


def test_standard_scaler_constant_feature_scale_one():
    s = StandardScaler().fit(_data())
    assert s.scale_[3] == 1.0
    np.testing.assert_array_equal(s.transform(_data())[:, 3], 0.0)


def test_standard_scaler_sample_weight_matches_sklearn():
    X, w = _data()[:, :3], np.random.default_rng(1).uniform(0.1, 2.0, size=40)
    ours = StandardScaler().fit(X, sample_weight=w)
    ref = skp.StandardScaler().fit(X, sample_weight=w)
    np.testing.assert_allclose(ours.mean_, ref.mean_, rtol=1e-12)
    np.testing.assert_allclose(ours.var_, ref.var_, rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kw", [{}, {"feature_range": (-1, 2)}, {"clip": True}])
def test_minmax_scaler_matches_sklearn(dtype, kw):
    X = _data(dtype)
    ours, ref = MinMaxScaler(**kw).fit(X), skp.MinMaxScaler(**kw).fit(X)
    for name in ("data_min_", "data_max_", "data_range_", "scale_", "min_"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(ref, name))
    X2 = _data(dtype, seed=1)
    Z = ours.transform(X2)
    assert Z.dtype == dtype
    np.testing.assert_array_equal(Z, ref.transform(X2))
    np.testing.assert_array_equal(ours.inverse_transform(Z), ref.inverse_transform(Z))


def test_minmax_scaler_rejects_bad_range():
    with pytest.raises(ValueError, match="Minimum of desired feature range must be smaller"):
        MinMaxScaler(feature_range=(1, 0)).fit(_data())


def test_label_encoder_matches_sklearn():
    y = ["paris", "tokyo", "paris", "amsterdam"]
    ours, ref = LabelEncoder().fit(y), skp.LabelEncoder().fit(y)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_array_equal(ours.transform(y), ref.transform(y))
    np.testing.assert_array_equal(LabelEncoder().fit_transform(y), ref.transform(y))
    np.testing.assert_array_equal(ours.inverse_transform([2, 0]), ["tokyo", "amsterdam"])
    with pytest.raises(ValueError, match="y contains previously unseen labels: \\['rome'\\]"):
        ours.transform(["rome"])
    with pytest.raises(NotFittedError):
        LabelEncoder().transform(y)


@pytest.mark.parametrize("kw", [{}, {"drop": "first"}, {"dtype": np.float32}])
def test_one_hot_encoder_matches_sklearn(kw):
    X = [["a", 3], ["c", 1], ["b", 3], ["a", 2]]
    ours = OneHotEncoder(**kw).fit(X)
    ref = skp.OneHotEncoder(sparse_output=False, **kw).fit(X)
    for a, b in zip(ours.categories_, ref.categories_):
        np.testing.assert_array_equal(a, b)
    Z = ours.transform(X)
    assert Z.dtype == ref.transform(X).dtype
    np.testing.assert_array_equal(Z, ref.transform(X))
    np.testing.assert_array_equal(ours.get_feature_names_out(), ref.get_feature_names_out())
    np.testing.assert_array_equal(ours.inverse_transform(Z), ref.inverse_transform(Z))


def test_one_hot_encoder_unknown_categories():
    X = np.array([[0, 1], [1, 1]])
    with pytest.raises(ValueError, match=r"Found unknown categories \[5\] in column 0"):
        OneHotEncoder().fit(X).transform([[5, 1]])
    ours = OneHotEncoder(handle_unknown="ignore").fit(X)
    ref = skp.OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(X)
    np.testing.assert_array_equal(ours.transform([[5, 1]]), ref.transform([[5, 1]]))
    Z = ours.transform(X)
    assert ours.inverse_transform(Z).dtype == ref.inverse_transform(Z).dtype
    np.testing.assert_array_equal(ours.inverse_transform(Z), X)
    with pytest.raises(ValueError, match="sparse_output=True is not supported"):
        OneHotEncoder(sparse_output=True).fit(X)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "kw",
    [{}, {"degree": 3}, {"include_bias": False}, {"interaction_only": True, "degree": 3}],
)
def test_polynomial_features_matches_sklearn(dtype, kw):
    X = _data(dtype)[:, :3]
    ours, ref = PolynomialFeatures(**kw).fit(X), skp.PolynomialFeatures(**kw).fit(X)
    np.testing.assert_array_equal(ours.powers_, ref.powers_)
    assert ours.n_output_features_ == ref.n_output_features_
    Z = ours.transform(X)
    assert Z.dtype == dtype
    np.testing.assert_array_equal(Z, ref.transform(X))
    np.testing.assert_array_equal(ours.get_feature_names_out(), ref.get_feature_names_out())
