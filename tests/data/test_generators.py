"""Toy-data generators and splits, against scikit-learn: same numbers for the same int seed."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.datasets as skd
import sklearn.model_selection as skms

import groundup as gu
from groundup.data import (
    KFold,
    StratifiedKFold,
    make_blobs,
    make_circles,
    make_classification,
    make_moons,
    make_regression,
    make_spirals,
    train_test_split,
)

OURS = {
    "make_moons": make_moons,
    "make_circles": make_circles,
    "make_blobs": make_blobs,
    "make_regression": make_regression,
    "make_classification": make_classification,
}

CASES = [
    ("make_moons", {}),
    ("make_moons", dict(n_samples=57, noise=0.1)),
    ("make_moons", dict(n_samples=(10, 4), shuffle=False, noise=0.3)),
    ("make_circles", dict(n_samples=61, noise=0.05, factor=0.3)),
    ("make_blobs", {}),
    ("make_blobs", dict(n_samples=77, n_features=3, centers=4, cluster_std=[0.5, 1, 2, 3])),
    ("make_blobs", dict(n_samples=[5, 6, 7], return_centers=True)),
    ("make_blobs", dict(n_samples=20, centers=[[0.0, 1.0], [5.0, 5.0]], shuffle=False)),
    ("make_regression", {}),
    (
        "make_regression",
        dict(
            n_samples=40, n_features=8, n_informative=3, n_targets=2, noise=1.5, bias=3.0, coef=True
        ),
    ),
    ("make_classification", {}),
    (
        "make_classification",
        dict(
            n_samples=103,
            n_features=12,
            n_informative=4,
            n_redundant=3,
            n_repeated=2,
            n_classes=3,
            weights=[0.2, 0.5],
            flip_y=0.1,
            shift=None,
            scale=None,
        ),
    ),
    (  # 35 informative dimensions: the hypercube's bits past 30 come from randint
        "make_classification",
        dict(
            n_features=40,
            n_informative=35,
            n_redundant=0,
            n_classes=5,
            n_clusters_per_class=3,
            hypercube=False,
        ),
    ),
    (  # 2 of 256 vertices: tracking selection
        "make_classification",
        dict(n_features=10, n_informative=8, n_redundant=0, n_clusters_per_class=1, class_sep=2.0),
    ),
    (  # 6 of 8 vertices: a permutation
        "make_classification",
        dict(n_features=6, n_informative=3, n_redundant=0, n_classes=3, n_clusters_per_class=2),
    ),
]


@pytest.mark.parametrize("name, kwargs", CASES)
@pytest.mark.parametrize("seed", [0, 42])
def test_generator_equals_sklearn(name, kwargs, seed):
    ours = OURS[name](random_state=seed, **kwargs)
    theirs = getattr(skd, name)(random_state=seed, **kwargs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def test_generators_dtypes_are_float64_int64():
    for name in ("make_moons", "make_circles", "make_blobs", "make_classification"):
        X, y = OURS[name](random_state=0)
        assert X.dtype == np.float64 and y.dtype == np.int64
    X, y = make_regression(random_state=0)
    assert X.dtype == np.float64 and y.dtype == np.float64


def test_generator_none_seed_follows_manual_seed():
    gu.manual_seed(1)
    a = make_moons(20, noise=0.1)[0]
    gu.manual_seed(1)
    np.testing.assert_array_equal(make_moons(20, noise=0.1)[0], a)
    assert not np.array_equal(make_moons(20, noise=0.1)[0], a)


def test_generator_accepts_numpy_generators():
    X1, _ = make_blobs(10, random_state=np.random.default_rng(3))
    X2, _ = make_blobs(10, random_state=np.random.default_rng(3))
    np.testing.assert_array_equal(X1, X2)


def test_make_regression_coef_explains_y():
    X, y, w = make_regression(60, 6, n_informative=2, bias=1.0, coef=True, random_state=0)
    np.testing.assert_allclose(X @ w + 1.0, y)
    assert (w != 0).sum() == 2


def test_make_classification_redundant_features_are_combinations():
    X, _ = make_classification(
        300, 10, n_informative=3, n_redundant=2, n_repeated=1, flip_y=0.0, random_state=0
    )
    assert np.linalg.matrix_rank(X) == 10 - 2 - 1  # only the independent features add rank


def test_make_classification_errors():
    with pytest.raises(ValueError, match="must sum to less than the number of total features"):
        make_classification(n_features=3, n_informative=2, n_redundant=2)
    with pytest.raises(ValueError, match=r"must be smaller or equal 2\*\*n_informative"):
        make_classification(n_classes=3, n_clusters_per_class=2, n_informative=2)


def test_make_spirals_arms_counts_and_radius():
    X, y = make_spirals(301, n_classes=3, noise=0.0, shuffle=False, random_state=0)
    assert X.shape == (301, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [101, 100, 100]
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 1], np.linspace(0, 1, 100))  # radius 0 -> 1 along an arm
    angle = np.arctan2(X[y == 0, 0], X[y == 0, 1])[1:]  # CS231n: (r sin t, r cos t)
    t = np.linspace(0, 4, 101)[1:]
    np.testing.assert_allclose(np.angle(np.exp(1j * (angle - t))), 0, atol=1e-12)


def test_make_spirals_seeded_and_noisy():
    a, ya = make_spirals(100, noise=0.2, random_state=7)
    b, yb = make_spirals(100, noise=0.2, random_state=7)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(a, make_spirals(100, noise=0.2, random_state=8)[0])


def test_make_circles_factor_checked():
    with pytest.raises(ValueError, match=r"factor must be in \[0, 1\)"):
        make_circles(factor=1.0)


# ---------------------------------------------------------------- splits


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = np.arange(206).reshape(103, 2)
    y = rng.integers(0, 4, 103)
    return X, y, np.array(["b", "a", "c"])[rng.integers(0, 3, 103)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"test_size": 0.1},
        {"test_size": 7},
        {"train_size": 0.5},
        {"train_size": 0.3, "test_size": 0.2},
        {"train_size": 50, "test_size": 0.2},
    ],
)
@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("stratify", [False, True])
def test_train_test_split_equals_sklearn(data, kwargs, seed, stratify):
    X, y, labels = data
    strat = labels if stratify else None
    ours = train_test_split(X, y, random_state=seed, stratify=strat, **kwargs)
    theirs = skms.train_test_split(X, y, random_state=seed, stratify=strat, **kwargs)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


def test_train_test_split_no_shuffle_and_kinds(data):
    X, y, _ = data
    X_train, X_test, l_train, l_test, t_train, t_test = train_test_split(
        X, list(range(103)), gu.tensor(y), shuffle=False
    )
    assert len(X_test) == 26 and l_test == list(range(77, 103))  # ceil(0.25 * 103)
    assert isinstance(l_train, list) and isinstance(t_train, gu.Tensor)
    assert t_test.tolist() == y[77:].tolist()


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((), {}, "At least one array required"),
        ((np.zeros(3), np.zeros(4)), {}, r"inconsistent numbers of samples: \[3, 4\]"),
        ((np.zeros(4),), {"test_size": 1.5}, r"test_size=1.5 should be either positive"),
        ((np.zeros(4),), {"test_size": 0.6, "train_size": 0.6}, "The sum of test_size"),
        ((np.zeros(4),), {"shuffle": False, "stratify": [0, 1, 0, 1]}, "not implemented"),
        ((np.zeros(4),), {"stratify": [0, 0, 0, 1]}, "least populated classes"),
    ],
)
def test_train_test_split_errors(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_test_split(*args, **kwargs)


@pytest.mark.parametrize("cls", ["KFold", "StratifiedKFold"])
@pytest.mark.parametrize(
    "kwargs", [{"n_splits": 3}, {"n_splits": 5, "shuffle": True, "random_state": 1}]
)
def test_kfold_equals_sklearn(data, cls, kwargs):
    X, y, labels = data
    ours_cls = {"KFold": KFold, "StratifiedKFold": StratifiedKFold}[cls]
    for target in (y, labels):
        ours = list(ours_cls(**kwargs).split(X, target))
        theirs = list(getattr(skms, cls)(**kwargs).split(X, target))
        assert len(ours) == len(theirs) == kwargs["n_splits"]
        for (a_train, a_test), (b_train, b_test) in zip(ours, theirs):
            np.testing.assert_array_equal(a_train, b_train)
            np.testing.assert_array_equal(a_test, b_test)


def test_kfold_fold_sizes_and_errors():
    tests = [test for _, test in KFold(n_splits=4).split(np.zeros(10))]
    assert [len(t) for t in tests] == [3, 3, 2, 2]
    assert KFold(3).get_n_splits() == 3
    with pytest.raises(ValueError, match="n_splits=11 greater than the number of samples"):
        list(KFold(11).split(np.zeros(10)))
    with pytest.raises(ValueError, match="random_state has no effect since shuffle is False"):
        KFold(3, random_state=0)
    with pytest.raises(ValueError, match="n_splits=2 or more"):
        KFold(1)


def test_stratified_kfold_small_class_warns_and_needs_y():
    with pytest.warns(UserWarning, match="least populated class in y has only 2 members"):
        list(StratifiedKFold(3).split(np.zeros(8), [0] * 6 + [1] * 2))
    with pytest.raises(ValueError, match="y .* is required"):
        list(StratifiedKFold(2).split(np.zeros(4)))
