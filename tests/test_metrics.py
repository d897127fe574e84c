"""groundup.metrics against scikit-learn on the same inputs (values to 1e-12, same warnings)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from sklearn.exceptions import UndefinedMetricWarning as SkUndefined

import groundup as gu
from groundup import metrics as gm

TOL = dict(rtol=1e-12, atol=1e-12)


def same(ours, theirs):
    """Equal values (to 1e-12) and the same kind: float for float, array for array."""
    if isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray)
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, **TOL)
    else:
        assert isinstance(ours, float), type(ours)
        np.testing.assert_allclose(ours, theirs, **TOL)


def both(name, *args, **kwargs):
    """Call the metric in groundup and sklearn; return both results and whether each warned."""
    with warnings.catch_warnings(record=True) as ours_w:
        warnings.simplefilter("always")
        ours = getattr(gm, name)(*args, **kwargs)
    with warnings.catch_warnings(record=True) as theirs_w:
        warnings.simplefilter("always")
        theirs = getattr(skm, name)(*args, **kwargs)
    ours_undefined = any(issubclass(w.category, gm.UndefinedMetricWarning) for w in ours_w)
    theirs_undefined = any(issubclass(w.category, SkUndefined) for w in theirs_w)
    assert ours_undefined == theirs_undefined, (ours_w, theirs_w)
    return ours, theirs


@pytest.fixture
def multiclass():
    """4 classes; class 3 is never predicted, class 4 only predicted (never true)."""
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, 200)
    y_pred = np.where(rng.random(200) < 0.6, y_true, rng.integers(0, 3, 200))
    y_pred[y_pred == 3] = 2
    y_pred[:3] = 4
    weights = rng.random(200)
    return y_true, y_pred, weights


@pytest.fixture
def binary():
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 2, 150)
    y_pred = np.where(rng.random(150) < 0.7, y_true, 1 - y_true)
    return y_true, y_pred, rng.random(150)


# ---------------------------------------------------------------- accuracy, confusion matrix


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_accuracy_score_matches_sklearn(multiclass, normalize, weighted):
    y_true, y_pred, w = multiclass
    sw = w if weighted else None
    same(*both("accuracy_score", y_true, y_pred, normalize=normalize, sample_weight=sw))


def test_accuracy_score_accepts_lists_tensors_and_strings():
    assert gm.accuracy_score(gu.tensor([0, 1, 2]), gu.tensor([0, 1, 1])) == pytest.approx(2 / 3)
    assert gm.accuracy_score(["a", "b", "b"], np.array(["a", "b", "a"])) == pytest.approx(2 / 3)
    assert gm.accuracy_score([[0], [1]], [0, 1]) == 1.0  # a column vector is 1-d


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"labels": [3, 0, 1]},
        {"labels": [0, 1, 2, 3, 4, 7]},
        {"normalize": "true"},
        {"normalize": "pred"},
        {"normalize": "all"},
        {"labels": [4, 2], "normalize": "true"},
    ],
)
@pytest.mark.parametrize("weighted", [False, True])
def test_confusion_matrix_matches_sklearn(multiclass, kwargs, weighted):
    y_true, y_pred, w = multiclass
    ours, theirs = both(
        "confusion_matrix", y_true, y_pred, sample_weight=w if weighted else None, **kwargs
    )
    np.testing.assert_allclose(ours, theirs, **TOL)
    assert ours.dtype == theirs.dtype


def test_confusion_matrix_strings_and_int_weights():
    y_true = ["cat", "ant", "cat", "cat", "ant", "bird"]
    y_pred = ["ant", "ant", "cat", "cat", "ant", "cat"]
    ours, theirs = both("confusion_matrix", y_true, y_pred, sample_weight=[1, 2, 1, 1, 3, 1])
    np.testing.assert_array_equal(ours, theirs)
    assert ours.dtype == np.int64


def test_confusion_matrix_single_label_warns():
    with pytest.warns(UserWarning, match="A single label was found"):
        assert gm.confusion_matrix([1, 1], [1, 1]).tolist() == [[2]]


def test_confusion_matrix_labels_not_in_y_true_raises():
    with pytest.raises(ValueError, match="At least one label specified must be in y_true"):
        gm.confusion_matrix([0, 1], [0, 1], labels=[5])


# ---------------------------------------------------------------- precision, recall, F


PRF = ["precision_score", "recall_score", "f1_score"]


@pytest.mark.parametrize("name", PRF)
@pytest.mark.parametrize("average", ["micro", "macro", "weighted", None])
@pytest.mark.parametrize("zero_division", ["warn", 0.0, 1.0, np.nan])
def test_prf_multiclass_matches_sklearn(multiclass, name, average, zero_division):
    y_true, y_pred, _ = multiclass
    same(*both(name, y_true, y_pred, average=average, zero_division=zero_division))


@pytest.mark.parametrize("name", PRF)
@pytest.mark.parametrize("average", ["micro", "macro", "weighted", None])
def test_prf_weights_and_labels_match_sklearn(multiclass, name, average):
    y_true, y_pred, w = multiclass
    for labels in ([2, 0], [0, 1, 2, 3, 4, 9]):
        same(*both(name, y_true, y_pred, average=average, labels=labels, sample_weight=w))


@pytest.mark.parametrize("name", PRF)
@pytest.mark.parametrize("pos_label", [0, 1])
def test_prf_binary_matches_sklearn(binary, name, pos_label):
    y_true, y_pred, w = binary
    same(*both(name, y_true, y_pred, pos_label=pos_label))
    same(*both(name, y_true, y_pred, pos_label=pos_label, sample_weight=w))


def test_prf_binary_strings_and_tensors():
    y_true = np.array(["spam", "ham", "spam", "spam", "ham"])
    y_pred = np.array(["spam", "spam", "ham", "spam", "ham"])
    same(*both("f1_score", y_true, y_pred, pos_label="spam"))
    assert gm.recall_score(gu.tensor([1, 0, 1, 1]), gu.tensor([1, 0, 0, 1])) == pytest.approx(2 / 3)


@pytest.mark.parametrize("zero_division", ["warn", 0.0, 1.0, np.nan])
def test_prf_nothing_predicted_positive(zero_division):
    y_true, y_pred = [0, 1, 1, 0], [0, 0, 0, 0]
    for name in PRF:
        same(*both(name, y_true, y_pred, zero_division=zero_division))
    same(*both("f1_score", [0, 0], [0, 0], zero_division=zero_division))  # all negative


@pytest.mark.parametrize("beta", [0.0, 0.5, 2.0, np.inf])
def test_fbeta_and_support_match_sklearn(multiclass, beta):
    y_true, y_pred, w = multiclass
    same(*both("fbeta_score", y_true, y_pred, beta=beta, average="macro", zero_division=0.0))
    ours, theirs = both(
        "precision_recall_fscore_support", y_true, y_pred, beta=beta, sample_weight=w
    )
    for a, b in zip(ours, theirs):
        same(a, b)


def test_prf_binary_average_on_multiclass_raises(multiclass):
    y_true, y_pred, _ = multiclass
    with pytest.raises(ValueError, match="Target is multiclass but average='binary'"):
        gm.precision_score(y_true, y_pred)


def test_prf_bad_pos_label_raises():
    with pytest.raises(ValueError, match="pos_label=2 is not a valid label"):
        gm.f1_score([0, 1], [1, 1], pos_label=2)


def test_prf_pos_label_ignored_warns_like_sklearn(multiclass):
    y_true, y_pred, _ = multiclass
    with pytest.warns(UserWarning, match="pos_label .* is ignored"):
        gm.f1_score(y_true, y_pred, average="macro", pos_label=2, zero_division=0)


def test_prf_bad_average_and_zero_division_raise():
    with pytest.raises(ValueError, match="average has to be one of"):
        gm.recall_score([0, 1], [0, 1], average="mean")
    with pytest.raises(ValueError, match="zero_division must be"):
        gm.recall_score([0, 1], [0, 1], zero_division=0.5)


# ---------------------------------------------------------------- target checks


def test_mixed_string_and_number_labels_raise():
    with pytest.raises(ValueError, match=r"Mix of label input types \(string and number\)"):
        gm.accuracy_score(["a", "b"], [0, 1])


def test_continuous_targets_raise():
    with pytest.raises(ValueError, match="can't handle a mix of continuous and binary"):
        gm.accuracy_score([0.5, 1.5], [0, 1])


def test_length_mismatch_raises():
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[3, 2\]"):
        gm.f1_score([0, 1, 1], [0, 1])


# ---------------------------------------------------------------- classification_report


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"digits": 4},
        {"labels": [0, 1, 2]},
        {"labels": [0, 1, 2, 3, 4], "target_names": ["zero", "one", "two", "three", "four"]},
        {"zero_division": 0.0},
    ],
)
@pytest.mark.parametrize("output_dict", [False, True])
def test_classification_report_matches_sklearn(multiclass, kwargs, output_dict):
    y_true, y_pred, w = multiclass
    ours, theirs = both(
        "classification_report", y_true, y_pred, sample_weight=w, output_dict=output_dict, **kwargs
    )
    if output_dict:
        assert list(ours) == list(theirs)
        for key in theirs:
            if isinstance(theirs[key], dict):
                assert list(ours[key]) == list(theirs[key])
                for metric in theirs[key]:
                    np.testing.assert_allclose(ours[key][metric], theirs[key][metric], **TOL)
            else:
                np.testing.assert_allclose(ours[key], theirs[key], **TOL)
    else:
        assert ours == theirs


def test_classification_report_strings_unweighted():
    y_true = ["cat", "dog", "dog", "bird", "cat", "cat"]
    y_pred = ["cat", "dog", "cat", "bird", "bird", "cat"]
    ours, theirs = both("classification_report", y_true, y_pred)
    assert ours == theirs


def test_classification_report_target_names_mismatch_raises():
    with pytest.raises(ValueError, match="Number of classes, 2, does not match size"):
        gm.classification_report([0, 1], [0, 1], target_names=["a", "b", "c"])


# ---------------------------------------------------------------- ROC AUC, log loss


@pytest.fixture
def scores():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 300)
    s = np.round(rng.random(300) + 0.3 * y, 1)  # rounded: many ties
    return y, s, rng.random(300)


def test_roc_auc_binary_with_ties_matches_sklearn(scores):
    y, s, w = scores
    assert len(np.unique(s)) < 30
    same(*both("roc_auc_score", y, s))
    same(*both("roc_auc_score", y, s, sample_weight=w))
    same(*both("roc_auc_score", np.where(y == 1, "pos", "neg"), -s))
    same(*both("roc_auc_score", y, np.zeros(300)))  # all tied: 0.5


def test_roc_auc_accepts_tensors(scores):
    y, s, _ = scores
    ours = gm.roc_auc_score(gu.tensor(y), gu.tensor(s, dtype=gu.float64))
    np.testing.assert_allclose(ours, skm.roc_auc_score(y, s), **TOL)


def test_roc_auc_single_class_warns_nan():
    with pytest.warns(gm.UndefinedMetricWarning, match="Only one class is present"):
        assert np.isnan(gm.roc_auc_score([1, 1, 1], [0.1, 0.2, 0.3]))


@pytest.fixture
def proba():
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(240, 4))
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(4, p=row) for row in p])
    return y, p, rng.random(240)


@pytest.mark.parametrize("average", ["macro", "weighted", "micro", None])
@pytest.mark.parametrize("weighted", [False, True])
def test_roc_auc_multiclass_ovr_matches_sklearn(proba, average, weighted):
    y, p, w = proba
    sw = w if weighted else None
    same(*both("roc_auc_score", y, p, multi_class="ovr", average=average, sample_weight=sw))


@pytest.mark.parametrize("average", ["macro", "weighted"])
def test_roc_auc_multiclass_ovo_matches_sklearn(proba, average):
    y, p, _ = proba
    same(*both("roc_auc_score", y, p, multi_class="ovo", average=average))


def test_roc_auc_multiclass_needs_multi_class(proba):
    y, p, _ = proba
    with pytest.raises(ValueError, match=r"multi_class must be in \('ovo', 'ovr'\)"):
        gm.roc_auc_score(y, p)


def test_log_loss_matches_sklearn(proba, scores):
    y, p, w = proba
    same(*both("log_loss", y, p))
    same(*both("log_loss", y, p, sample_weight=w, normalize=False))
    same(*both("log_loss", y, p.astype(np.float32)))
    same(*both("log_loss", y[y < 3], p[y < 3], labels=[0, 1, 2, 3]))
    yb, s, _ = scores
    s = s / s.max()
    same(*both("log_loss", yb, s))  # 1-d: probability of class 1; includes 0 and 1 (clipped)
    same(*both("log_loss", np.where(yb == 1, "b", "a"), np.stack([1 - s, s], axis=1)))


def test_log_loss_errors():
    with pytest.raises(ValueError, match="y_true contains only one label"):
        gm.log_loss([1, 1], [0.5, 0.5])
    with pytest.raises(ValueError, match="values greater than 1"):
        gm.log_loss([0, 1], [0.5, 1.5])
    with pytest.raises(ValueError, match="different number of classes: 2 vs 3"):
        gm.log_loss([0, 1], [[0.2, 0.3, 0.5], [0.2, 0.3, 0.5]])


# ---------------------------------------------------------------- regression


@pytest.fixture
def regression():
    rng = np.random.default_rng(4)
    y = rng.normal(size=(80, 3))
    return y, y + rng.normal(scale=0.5, size=(80, 3)), rng.random(80)


@pytest.mark.parametrize(
    "name", ["mean_squared_error", "mean_absolute_error", "r2_score", "root_mean_squared_error"]
)
@pytest.mark.parametrize("multioutput", ["raw_values", "uniform_average", [0.2, 0.3, 0.5]])
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_metrics_match_sklearn(regression, name, multioutput, weighted):
    y, y_hat, w = regression
    sw = w if weighted else None
    same(*both(name, y, y_hat, sample_weight=sw, multioutput=multioutput))
    same(*both(name, y[:, 0], y_hat[:, 0], sample_weight=sw))


def test_r2_variance_weighted_and_constant_targets(regression):
    y, y_hat, _ = regression
    same(*both("r2_score", y, y_hat, multioutput="variance_weighted"))
    constant = np.ones((5, 2))
    guess = np.array([[1.0, 1.0]] * 4 + [[1.0, 2.0]])
    for force_finite in (True, False):
        same(
            *both("r2_score", constant, guess, multioutput="raw_values", force_finite=force_finite)
        )


def test_regression_accepts_tensors_and_ints():
    assert gm.mean_squared_error(gu.tensor([1.0, 2.0]), gu.tensor([1.0, 4.0])) == 2.0
    same(*both("mean_absolute_error", [1, 2, 3], [2, 2, 2]))


def test_r2_single_sample_warns_nan():
    with pytest.warns(gm.UndefinedMetricWarning, match="less than two samples"):
        assert np.isnan(gm.r2_score([1.0], [2.0]))


# ---------------------------------------------------------------- get_metric


def test_get_metric_names():
    assert gm.get_metric("accuracy") is gm.accuracy_score
    assert gm.get_metric("f1_score") is gm.f1_score
    assert gm.get_metric("MSE") is gm.mean_squared_error
    assert gm.get_metric(len) is len
    with pytest.raises(ValueError, match="unknown metric 'top5'"):
        gm.get_metric("top5")
