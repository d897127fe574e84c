"""The estimator contract: ``BaseEstimator``, the mixins and ``clone``, as in scikit-learn.

Hyperparameters are the ``__init__`` keyword arguments, stored unchanged; ``fit`` learns the
``_``-suffixed attributes. That is all ``get_params``, ``set_params`` and ``clone`` need.

Examples
--------
>>> class Shift(TransformerMixin, BaseEstimator):
...     def __init__(self, by=1.0):
...         self.by = by
>>> Shift(by=2.0)
Shift(by=2.0)
>>> Shift().get_params()
{'by': 1.0}
"""

from __future__ import annotations

import copy
import inspect
from collections import defaultdict
from typing import Any

import numpy as np

from groundup.metrics import accuracy_score, r2_score

__all__ = [
    "BaseEstimator",
    "ClassifierMixin",
    "ClusterMixin",
    "RegressorMixin",
    "TransformerMixin",
    "clone",
]


def clone(estimator: Any, *, safe: bool = True) -> Any:
    """A new, unfitted estimator with the same hyperparameters (deep-copied).

    Lists, tuples and sets are cloned element-wise; with ``safe=False`` objects that are
    not estimators are deep-copied.

    Examples
    --------
    >>> from groundup.ml.preprocessing import StandardScaler
    >>> clone(StandardScaler(with_mean=False))
    StandardScaler(with_mean=False)
    """
    if hasattr(estimator, "__sklearn_clone__") and not inspect.isclass(estimator):
        return estimator.__sklearn_clone__()
    return _clone_parametrized(estimator, safe=safe)


def _clone_parametrized(estimator: Any, *, safe: bool = True) -> Any:
    if isinstance(estimator, dict):
        return {k: clone(v, safe=safe) for k, v in estimator.items()}
    if isinstance(estimator, (list, tuple, set, frozenset)):
        return type(estimator)([clone(e, safe=safe) for e in estimator])
    if not hasattr(estimator, "get_params") or isinstance(estimator, type):
        if not safe:
            return copy.deepcopy(estimator)
        raise TypeError(
            f"Cannot clone object '{estimator!r}' (type {type(estimator)}): it does not seem "
            "to be a scikit-learn estimator as it does not implement a 'get_params' method."
        )
    klass = type(estimator)
    params = estimator.get_params(deep=False)
    new_params = {k: clone(v, safe=False) for k, v in params.items()}
    new = klass(**new_params)
    set_params = new.get_params(deep=False)
    for name in new_params:
        if new_params[name] is not set_params[name]:
            raise RuntimeError(
                f"Cannot clone object {estimator}, as the constructor either does not set or "
                f"modifies parameter {name}"
            )
    return new


def _store_arguments(estimator: Any, arguments: dict) -> None:
    """Store every ``__init__`` argument unchanged under its name (scikit-learn's contract).

    Called as ``_store_arguments(self, locals())`` by estimators with many hyperparameters.
    """
    for name, value in arguments.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


def _is_default(value: Any, default: Any) -> bool:
    if value is default:
        return True
    if isinstance(value, (np.ndarray, BaseEstimator)) or isinstance(default, np.ndarray):
        return False
    try:
        same = value == default
        return bool(same) and type(value) is type(default)
    except (TypeError, ValueError):
        return False


class BaseEstimator:
    """Base class: ``get_params``/``set_params`` from ``__init__``, a compact ``__repr__``.

    Subclasses list every hyperparameter as an explicit keyword of ``__init__`` (no
    ``*args``/``**kwargs``) and store each unchanged under the same name.

    Examples
    --------
    >>> from groundup.ml.preprocessing import MinMaxScaler
    >>> MinMaxScaler().set_params(feature_range=(-1, 1))
    MinMaxScaler(feature_range=(-1, 1))
    """

    @classmethod
    def _get_param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        params = inspect.signature(init).parameters.values()
        names = []
        for p in params:
            if p.name == "self" or p.kind == p.VAR_KEYWORD:
                continue
            if p.kind == p.VAR_POSITIONAL:
                raise RuntimeError(
                    f"scikit-learn estimators should always specify their parameters in the "
                    f"signature of their __init__ (no varargs). {cls} doesn't follow this "
                    "convention."
                )
            names.append(p.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Hyperparameters by name; with ``deep``, nested ones as ``step__param`` too."""
        out: dict[str, Any] = {}
        for key in self._get_param_names():
            value = getattr(self, key)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{key}__{k}", v) for k, v in value.get_params().items())
            out[key] = value
        return out

    def set_params(self, **params: Any) -> BaseEstimator:
        """Set hyperparameters, nested ones as ``name__param``; returns self."""
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested: dict[str, dict[str, Any]] = defaultdict(dict)
        for key, value in params.items():
            key, delim, sub_key = key.partition("__")
            if key not in valid:
                local = self._get_param_names()
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {self}. Valid parameters are: "
                    f"{local!r}."
                )
            if delim:
                nested[key][sub_key] = value
            else:
                setattr(self, key, value)
                valid[key] = value
        for key, sub_params in nested.items():
            valid[key].set_params(**sub_params)
        return self

    def __sklearn_clone__(self) -> BaseEstimator:
        return _clone_parametrized(self)

    def __repr__(self) -> str:
        init = type(self).__init__
        defaults = {}
        if init is not object.__init__:
            for p in inspect.signature(init).parameters.values():
                defaults[p.name] = p.default
        changed = [
            f"{k}={v!r}"
            for k, v in self.get_params(deep=False).items()
            if not _is_default(v, defaults.get(k, inspect.Parameter.empty))
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __getstate__(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's ``Tags`` for this estimator (imports scikit-learn here only)."""
        from sklearn.utils import InputTags, Tags, TargetTags

        return Tags(
            estimator_type=None,
            target_tags=TargetTags(required=False),
            transformer_tags=None,
            regressor_tags=None,
            classifier_tags=None,
            input_tags=InputTags(),
        )


class ClassifierMixin:
    """``score`` is the accuracy; tags say "classifier"."""

    _estimator_type = "classifier"

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy of ``self.predict(X)`` against ``y``."""
        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags

        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags()
        tags.target_tags.required = True
        return tags


class RegressorMixin:
    """``score`` is the coefficient of determination R²; tags say "regressor"."""

    _estimator_type = "regressor"

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R² of ``self.predict(X)`` against ``y``."""
        return float(r2_score(y, self.predict(X), sample_weight=sample_weight))

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import RegressorTags

        tags = super().__sklearn_tags__()
        tags.estimator_type = "regressor"
        tags.regressor_tags = RegressorTags()
        tags.target_tags.required = True
        return tags


class TransformerMixin:
    """``fit_transform`` = ``fit`` then ``transform``; tags carry transformer tags."""

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        """Fit to X (and y) and return the transformed X."""
        if y is None:
            return self.fit(X, **fit_params).transform(X)
        return self.fit(X, y, **fit_params).transform(X)

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import TransformerTags

        tags = super().__sklearn_tags__()
        tags.transformer_tags = TransformerTags()
        return tags


class ClusterMixin:
    """``fit_predict`` returns ``labels_``; tags say "clusterer"."""

    _estimator_type = "clusterer"

    def fit_predict(self, X: Any, y: Any = None, **kwargs: Any) -> Any:
        """Fit and return the cluster label of each sample."""
        self.fit(X, **kwargs)
        return self.labels_

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.estimator_type = "clusterer"
        if tags.transformer_tags is not None:
            tags.transformer_tags.preserves_dtype = []
        return tags
