"""LogisticRegression (vs scikit-learn's lbfgs) and Perceptron, plus check_estimator."""

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn import linear_model as skl  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from groundup.ml.logistic import LogisticRegression, Perceptron  # noqa: E402
from groundup.ml.validation import NotFittedError  # noqa: E402

EXPECTED_FAILED_CHECKS: dict = {
    "LogisticRegression": {
        "check_estimators_unfitted": (
            "groundup raises its own NotFittedError (a ValueError and AttributeError, as "
            "scikit-learn's); the check wants sklearn.exceptions.NotFittedError itself"
        ),
    }
}
EXPECTED_FAILED_CHECKS["Perceptron"] = dict(EXPECTED_FAILED_CHECKS["LogisticRegression"])

LOADERS = {"breast_cancer": load_breast_cancer, "iris": load_iris, "wine": load_wine}


def _standardised(name):
    X, y = LOADERS[name](return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


@parametrize_with_checks(
    [LogisticRegression(), Perceptron()],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_check_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("name", ["breast_cancer", "iris", "wine"])
@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_logistic_matches_sklearn_lbfgs(name, C):
    X, y = _standardised(name)
    ours = LogisticRegression(C=C).fit(X, y)
    ref = skl.LogisticRegression(C=C, tol=1e-10, max_iter=10000).fit(X, y)
    assert ours.coef_.shape == ref.coef_.shape
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-5)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-4)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_logistic_no_intercept_matches_sklearn():
    X, y = _standardised("wine")
    ours = LogisticRegression(fit_intercept=False).fit(X, y)
    ref = skl.LogisticRegression(fit_intercept=False, tol=1e-10, max_iter=10000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_array_equal(ours.intercept_, 0.0)


def test_logistic_digits_and_large_make_classification_accuracy():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    Xtr, Xte, ytr, yte = X[:1400], X[1400:], y[:1400], y[1400:]
    ours = LogisticRegression().fit(Xtr, ytr)
    ref = skl.LogisticRegression(max_iter=1000).fit(Xtr, ytr)
    assert ours.score(Xte, yte) >= ref.score(Xte, yte) - 0.005
    X, y = make_classification(n_samples=20000, n_features=20, random_state=0)
    ours = LogisticRegression().fit(X[:15000], y[:15000])
    ref = skl.LogisticRegression().fit(X[:15000], y[:15000])
    assert ours.score(X[15000:], y[15000:]) >= ref.score(X[15000:], y[15000:]) - 0.002


def test_logistic_string_labels_and_proba():
    X, y = _standardised("iris")
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = LogisticRegression().fit(X, names)
    np.testing.assert_array_equal(clf.classes_, ["setosa", "versicolor", "virginica"])
    assert clf.predict(X).dtype.kind == "U"
    assert clf.score(X, names) > 0.95
    P = clf.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(P))


def test_logistic_float32_in_float32_out():
    X, y = _standardised("breast_cancer")
    clf = LogisticRegression().fit(X.astype(np.float32), y)
    assert clf.coef_.dtype == np.float32
    assert clf.decision_function(X.astype(np.float32)).dtype == np.float32


def test_logistic_bad_input_errors():
    X, y = _standardised("iris")
    with pytest.raises(NotFittedError, match="not fitted"):
        LogisticRegression().predict(X)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LogisticRegression().fit(X, y[:-1])
    Xn = X.copy()
    Xn[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LogisticRegression().fit(Xn, y)
    with pytest.raises(ValueError, match="X has 3 features, but .* expecting 4"):
        LogisticRegression().fit(X, y).predict(X[:, :3])
    with pytest.raises(ValueError, match="only one class"):
        LogisticRegression().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticRegression().fit(X, y + 0.5)
    with pytest.raises(ValueError, match="C == 0"):
        LogisticRegression(C=0).fit(X, y)


@pytest.mark.parametrize("name", ["breast_cancer", "iris", "wine"])
def test_perceptron_accuracy_near_sklearn(name):
    X, y = _standardised(name)
    ours = Perceptron().fit(X, y)
    ref = skl.Perceptron(random_state=0).fit(X, y)
    assert ours.coef_.shape == ref.coef_.shape
    # batch updates, not scikit-learn's shuffled per-sample SGD: accuracy, not weights
    assert ours.score(X, y) >= ref.score(X, y) - 0.03
    assert ours.n_iter_ == len(ours.loss_curve_)


def test_perceptron_separable_reaches_zero_loss():
    X = np.array([[-2.0, 0.0], [-1.0, 1.0], [1.0, -1.0], [2.0, 0.0]])
    clf = Perceptron().fit(X, ["a", "a", "b", "b"])
    assert clf.loss_curve_[-1] == 0.0
    np.testing.assert_array_equal(clf.predict(X), ["a", "a", "b", "b"])


def test_perceptron_bad_input_errors():
    X, y = _standardised("iris")
    with pytest.raises(NotFittedError, match="not fitted"):
        Perceptron().predict(X)
    with pytest.raises(ValueError, match="only one class"):
        Perceptron().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="X has 3 features, but .* expecting 4"):
        Perceptron().fit(X, y).predict(X[:, :3])


def test_logistic_inside_sklearn_pipeline_and_grid_search():
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_wine(return_X_y=True)
    ours = GridSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression()), {"logisticregression__C": [0.1, 1.0]}
    )
    ref = GridSearchCV(
        make_pipeline(StandardScaler(), skl.LogisticRegression()),
        {"logisticregression__C": [0.1, 1.0]},
    )
    ours.fit(X, y)
    ref.fit(X, y)
    assert ours.best_params_ == ref.best_params_
    assert ours.best_score_ == pytest.approx(ref.best_score_, abs=1e-9)
