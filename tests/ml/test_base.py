"""The estimator contract and the validators: messages, params, repr, clone, tags."""

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import groundup as gu
from groundup.ml import (
    BaseEstimator,
    ClassifierMixin,
    ClusterMixin,
    NotFittedError,
    RegressorMixin,
    StandardScaler,
    TransformerMixin,
    check_array,
    check_is_fitted,
    check_X_y,
    clone,
    make_pipeline,
)
from groundup.ml.validation import _check_n_features, check_scalar


class _Mean(RegressorMixin, BaseEstimator):
    def __init__(self, shift=0.0, inner=None):
        self.shift = shift
        self.inner = inner

    def fit(self, X, y):
        X, y = check_X_y(X, y, estimator=self)
        self.mean_ = float(np.mean(y)) + self.shift
        return self

    def predict(self, X):
        check_is_fitted(self)
        return np.full(len(check_array(X)), self.mean_)


class _Majority(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        self.classes_, counts = np.unique(y, return_counts=True)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class _Cluster(ClusterMixin, BaseEstimator):
    def fit(self, X, y=None):
        self.labels_ = np.zeros(len(X), dtype=int)
        return self


def test_check_array_dtypes_and_inputs():
    assert check_array([[1, 2]]).dtype == np.float64
    assert check_array(np.ones((2, 2), np.float32)).dtype == np.float32
    assert check_array(np.ones((2, 2), np.int32)).dtype == np.float64
    t = gu.tensor(np.ones((3, 2), dtype=np.float32))
    out = check_array(t)
    assert isinstance(out, np.ndarray) and out.shape == (3, 2) and out.dtype == np.float32


@pytest.mark.parametrize(
    "X, match",
    [
        ([1.0, 2.0], r"Reshape your data either using array.reshape\(-1, 1\)"),
        (np.empty((0, 3)), r"Found array with 0 sample\(s\) .* while a minimum of 1 is required"),
        (np.empty((3, 0)), r"0 feature\(s\) \(shape=\(3, 0\)\) while a minimum of 1"),
        ([[np.nan, 1.0]], "Input X contains NaN"),
        ([[np.inf, 1.0]], "Input X contains infinity"),
        (np.ones((2, 2, 2)), "Found array with dim 3"),
    ],
)
def test_check_array_rejects_bad_input(X, match):
    with pytest.raises(ValueError, match=match):
        check_array(X)


def test_check_X_y_inconsistent_lengths():
    msg = r"Found input variables with inconsistent numbers of samples: \[3, 2\]"
    with pytest.raises(ValueError, match=msg):
        check_X_y(np.ones((3, 1)), [0, 1])


def test_check_is_fitted_raises_not_fitted_error():
    with pytest.raises(NotFittedError, match="This _Mean instance is not fitted yet. Call 'fit'"):
        _Mean().predict([[0.0]])
    assert issubclass(NotFittedError, ValueError)
    assert issubclass(NotFittedError, AttributeError)


def test_check_n_features_message():
    s = StandardScaler().fit(np.ones((3, 4)))
    msg = "X has 5 features, but StandardScaler is expecting 4 features as input."
    with pytest.raises(ValueError, match=msg):
        s.transform(np.ones((3, 5)))
    e = _Mean()
    _check_n_features(e, np.ones((2, 3)), reset=True)
    assert e.n_features_in_ == 3


def test_check_scalar_type_and_range():
    assert check_scalar(1.5, "alpha", float, min_val=0.0) == 1.5
    with pytest.raises(ValueError, match="alpha == -1.0, must be >= 0.0"):
        check_scalar(-1.0, "alpha", float, min_val=0.0)
    with pytest.raises(TypeError, match="degree must be an instance of"):
        check_scalar(True, "degree", int)


def test_get_set_params_nested():
    e = _Mean(shift=1.0, inner=StandardScaler())
    p = e.get_params()
    assert p["shift"] == 1.0 and p["inner__with_mean"] is True
    assert set(e.get_params(deep=False)) == {"shift", "inner"}
    e.set_params(inner__with_mean=False, shift=2.0)
    assert e.inner.with_mean is False and e.shift == 2.0
    with pytest.raises(ValueError, match="Invalid parameter 'bogus' for estimator"):
        e.set_params(bogus=1)


def test_repr_shows_only_non_default_params():
    assert repr(StandardScaler()) == "StandardScaler()"
    assert repr(StandardScaler(with_std=False)) == "StandardScaler(with_std=False)"
    assert repr(_Mean(inner=StandardScaler())) == "_Mean(inner=StandardScaler())"


def test_clone_is_unfitted_copy_with_same_params():
    e = _Mean(shift=3.0, inner=StandardScaler(with_mean=False)).fit([[0.0], [1.0]], [1.0, 3.0])
    c = clone(e)
    assert c.shift == 3.0 and c.inner is not e.inner and c.inner.with_mean is False
    assert not hasattr(c, "mean_")
    with pytest.raises(TypeError, match="does not implement a 'get_params' method"):
        clone(object())


def test_pickle_roundtrip_keeps_fitted_state():
    s = StandardScaler().fit([[1.0, 2.0], [3.0, 5.0]])
    s2 = pickle.loads(pickle.dumps(s))
    np.testing.assert_array_equal(s2.transform([[1.0, 1.0]]), s.transform([[1.0, 1.0]]))


def test_mixin_scores_and_fit_predict():
    X, y = [[0.0], [1.0], [2.0]], [1.0, 2.0, 3.0]
    assert _Mean().fit(X, y).score(X, y) == pytest.approx(0.0)
    assert _Majority().fit(X, ["a", "a", "b"]).score(X, ["a", "a", "b"]) == pytest.approx(2 / 3)
    assert _Cluster().fit_predict(X).tolist() == [0, 0, 0]


def test_sklearn_tags_from_mixins():
    pytest.importorskip("sklearn")
    assert _Mean().__sklearn_tags__().estimator_type == "regressor"
    assert _Mean().__sklearn_tags__().target_tags.required is True
    assert _Majority().__sklearn_tags__().estimator_type == "classifier"
    assert _Cluster().__sklearn_tags__().estimator_type == "clusterer"
    tags = StandardScaler().__sklearn_tags__()
    assert tags.transformer_tags is not None and tags.estimator_type is None
    assert make_pipeline(StandardScaler(), _Majority()).__sklearn_tags__().estimator_type == (
        "classifier"
    )
    from sklearn.base import is_classifier, is_regressor

    assert is_classifier(_Majority()) and is_regressor(_Mean())
    assert isinstance(TransformerMixin, type)


def test_groundup_ml_imports_without_sklearn():
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "from groundup.ml import StandardScaler, GridSearchCV, make_pipeline\n"
        "print(StandardScaler().fit_transform([[0.0], [2.0]]).ravel().tolist())"
    )
    src = str(Path(gu.__file__).parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[-1.0, 1.0]"
