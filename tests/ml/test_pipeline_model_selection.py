"""Pipeline, cross_val_score and GridSearchCV against scikit-learn's, in both directions."""

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn import model_selection as skms  # noqa: E402
from sklearn import pipeline as skpipe  # noqa: E402
from sklearn import preprocessing as skp  # noqa: E402
from sklearn.datasets import load_diabetes, load_iris  # noqa: E402
from sklearn.linear_model import LogisticRegression, Ridge  # noqa: E402

import groundup.data.splits as splits  # noqa: E402
from groundup.ml import (  # noqa: E402
    GridSearchCV,
    KFold,
    MinMaxScaler,
    NotFittedError,
    ParameterGrid,
    Pipeline,
    PolynomialFeatures,
    StandardScaler,
    StratifiedKFold,
    cross_val_score,
    make_pipeline,
    train_test_split,
)


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def test_splitters_are_reexported_not_copied():
    assert train_test_split is splits.train_test_split
    assert KFold is splits.KFold and StratifiedKFold is splits.StratifiedKFold


def test_pipeline_matches_sklearn_pipeline(iris):
    X, y = iris
    ours = Pipeline([("poly", PolynomialFeatures()), ("scale", StandardScaler())])
    ref = skpipe.Pipeline([("poly", skp.PolynomialFeatures()), ("scale", skp.StandardScaler())])
    np.testing.assert_allclose(ours.fit_transform(X), ref.fit_transform(X), rtol=1e-12)
    np.testing.assert_allclose(ours.transform(X[:5]), ref.transform(X[:5]), rtol=1e-12)
    assert list(ours.named_steps) == ["poly", "scale"]
    assert ours["scale"] is ours.named_steps["scale"]


def test_pipeline_predict_score_passthrough(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    ref = skpipe.make_pipeline(skp.StandardScaler(), LogisticRegression(max_iter=500))
    pipe.fit(X, y)
    ref.fit(X, y)
    np.testing.assert_array_equal(pipe.predict(X), ref.predict(X))
    np.testing.assert_allclose(pipe.predict_proba(X), ref.predict_proba(X), rtol=1e-10)
    assert pipe.score(X, y) == ref.score(X, y)
    np.testing.assert_array_equal(pipe.classes_, [0, 1, 2])


def test_pipeline_params_and_make_pipeline_names():
    pipe = make_pipeline(StandardScaler(), MinMaxScaler(), MinMaxScaler())
    assert [n for n, _ in pipe.steps] == ["standardscaler", "minmaxscaler-1", "minmaxscaler-2"]
    pipe.set_params(standardscaler__with_mean=False, **{"minmaxscaler-1__clip": True})
    params = pipe.get_params()
    assert params["standardscaler__with_mean"] is False and params["minmaxscaler-1__clip"]
    assert params["standardscaler"] is pipe.steps[0][1]
    pipe.set_params(standardscaler="passthrough")
    assert pipe.fit_transform([[0.0], [4.0]]).ravel().tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match="Invalid parameter 'nope'"):
        pipe.set_params(nope=1)
    with pytest.raises(NotFittedError):
        make_pipeline(StandardScaler()).transform([[0.0]])


def test_our_transformers_in_sklearn_pipeline_and_grid_search(iris):
    X, y = iris
    ours = skpipe.make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    ref = skpipe.make_pipeline(skp.StandardScaler(), LogisticRegression(max_iter=500))
    grid = {"logisticregression__C": [0.01, 0.1, 1.0]}
    a = skms.GridSearchCV(ours, grid, cv=4).fit(X, y)
    b = skms.GridSearchCV(ref, grid, cv=4).fit(X, y)
    assert a.best_params_ == b.best_params_
    assert a.best_score_ == b.best_score_
    d = skms.GridSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)), grid, cv=4
    )
    d.fit(X, y)
    assert d.best_params_ == b.best_params_
    assert d.best_score_ == pytest.approx(b.best_score_, abs=1e-12)
    c = skms.GridSearchCV(
        skpipe.make_pipeline(PolynomialFeatures(), MinMaxScaler(), Ridge()),
        {"polynomialfeatures__degree": [1, 2], "ridge__alpha": [0.1, 1.0]},
        cv=3,
    ).fit(*load_diabetes(return_X_y=True))
    assert c.best_params_["polynomialfeatures__degree"] in (1, 2)


@pytest.mark.parametrize("cv", [3, 5, KFold(4, shuffle=True, random_state=0)])
def test_cross_val_score_matches_sklearn_classifier(iris, cv):
    X, y = iris
    est = LogisticRegression(max_iter=500)
    sk_cv = skms.KFold(4, shuffle=True, random_state=0) if isinstance(cv, KFold) else cv
    ours = cross_val_score(est, X, y, cv=cv)
    ref = skms.cross_val_score(est, X, y, cv=sk_cv)
    np.testing.assert_array_equal(ours, ref)


def test_cross_val_score_regression_and_scoring():
    X, y = load_diabetes(return_X_y=True)
    for scoring in (None, "r2", "neg_mean_squared_error", "neg_mean_absolute_error"):
        ours = cross_val_score(Ridge(alpha=0.5), X, y, cv=5, scoring=scoring)
        ref = skms.cross_val_score(Ridge(alpha=0.5), X, y, cv=5, scoring=scoring)
        np.testing.assert_allclose(ours, ref, rtol=1e-12)
    with pytest.raises(ValueError, match="is not a valid scoring value"):
        cross_val_score(Ridge(), X, y, scoring="nope")


def test_cross_val_score_with_our_scaler_in_pipeline(iris):
    X, y = iris
    ours = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression()), X, y, cv=5)
    ref = skms.cross_val_score(
        skpipe.make_pipeline(skp.StandardScaler(), LogisticRegression()), X, y, cv=5
    )
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


def test_grid_search_matches_sklearn(iris):
    X, y = iris
    grid = {"C": [0.01, 0.1, 1.0, 10.0], "fit_intercept": [True, False]}
    ours = GridSearchCV(LogisticRegression(max_iter=1000), grid, cv=5).fit(X, y)
    ref = skms.GridSearchCV(LogisticRegression(max_iter=1000), grid, cv=5).fit(X, y)
    assert ours.best_params_ == ref.best_params_
    assert ours.best_score_ == ref.best_score_
    assert ours.best_index_ == ref.best_index_
    assert ours.cv_results_["params"] == ref.cv_results_["params"]
    for key in ("mean_test_score", "std_test_score", "rank_test_score", "split0_test_score"):
        np.testing.assert_allclose(ours.cv_results_[key], ref.cv_results_[key], rtol=1e-12)
    assert list(ours.cv_results_["param_C"]) == list(ref.cv_results_["param_C"])
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.score(X, y) == ref.score(X, y)


def test_grid_search_over_our_pipeline_with_scoring(iris):
    X, y = iris
    pipe = make_pipeline(PolynomialFeatures(), StandardScaler(), LogisticRegression(max_iter=500))
    grid = [{"polynomialfeatures__degree": [1, 2], "logisticregression__C": [0.1, 1.0]}]
    ours = GridSearchCV(pipe, grid, cv=3, scoring="accuracy").fit(X, y)
    sk_pipe = skpipe.make_pipeline(
        skp.PolynomialFeatures(), skp.StandardScaler(), LogisticRegression(max_iter=500)
    )
    ref = skms.GridSearchCV(sk_pipe, grid, cv=3, scoring="accuracy").fit(X, y)
    assert ours.best_params_ == ref.best_params_
    assert ours.best_score_ == pytest.approx(ref.best_score_, abs=1e-12)
    np.testing.assert_array_equal(
        ours.cv_results_["rank_test_score"], ref.cv_results_["rank_test_score"]
    )
    assert isinstance(ours.best_estimator_, Pipeline)
    from sklearn.base import is_classifier

    assert is_classifier(ours) and is_classifier(pipe)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_grid_search_refit_false_and_bad_grid(iris):
    X, y = iris
    gs = GridSearchCV(LogisticRegression(), {"C": [1.0]}, refit=False, cv=2).fit(X, y)
    assert not hasattr(gs, "best_estimator_") and gs.best_params_ == {"C": 1.0}
    with pytest.raises(NotFittedError):
        gs.predict(X)
    with pytest.raises(TypeError, match="needs to be a list or a numpy array"):
        list(ParameterGrid({"C": 1.0}))
    assert len(ParameterGrid([{"a": [1, 2], "b": [3]}, {"c": [4]}])) == 3
