"""``Pipeline``: transformers chained into a final estimator, fitted and tuned as one.

Examples
--------
>>> from groundup.ml.preprocessing import PolynomialFeatures, StandardScaler
>>> pipe = make_pipeline(StandardScaler(), PolynomialFeatures(degree=2))
>>> list(pipe.named_steps)
['standardscaler', 'polynomialfeatures']
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from groundup.ml.base import BaseEstimator
from groundup.ml.validation import check_is_fitted

__all__ = ["Pipeline", "make_pipeline"]


class Pipeline(BaseEstimator):
    """Apply transformers in turn, then the last step; parameters as ``step__param``.

    Parameters
    ----------
    steps : list of (name, estimator)
        All but the last must have ``fit``/``transform``; a step may be ``"passthrough"``
        or None (skipped).

    Attributes
    ----------
    named_steps : dict
        The steps by name.

    Examples
    --------
    >>> from groundup.ml.preprocessing import MinMaxScaler, StandardScaler
    >>> pipe = Pipeline([("mm", MinMaxScaler()), ("std", StandardScaler())])
    >>> pipe.fit_transform([[0.0], [2.0]]).ravel()
    array([-1.,  1.])
    >>> pipe.set_params(mm__feature_range=(-1, 1)).get_params()["mm__feature_range"]
    (-1, 1)
    """

    def __init__(self, steps: list, *, memory: Any = None, verbose: bool = False):
        self.steps = steps
        self.memory = memory
        self.verbose = verbose

    # get_params/set_params also expose and accept the steps by name.
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        out = super().get_params(deep=False)
        if not deep:
            return out
        out.update(self.steps)
        for name, est in self.steps:
            if hasattr(est, "get_params"):
                out.update((f"{name}__{k}", v) for k, v in est.get_params(deep=True).items())
        return out

    def set_params(self, **params: Any) -> Pipeline:
        if "steps" in params:
            self.steps = params.pop("steps")
        names = [n for n, _ in self.steps]
        replaced = [k for k in params if k in names]
        if replaced:
            # a new list, so the one the caller passed in stays as it was
            self.steps = [(n, params.pop(n) if n in replaced else e) for n, e in self.steps]
        super().set_params(**params)
        return self

    @property
    def named_steps(self) -> dict[str, Any]:
        return dict(self.steps)

    @property
    def _final_estimator(self) -> Any:
        return self.steps[-1][1]

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, ind: Any) -> Any:
        if isinstance(ind, slice):
            return type(self)(self.steps[ind], memory=self.memory, verbose=self.verbose)
        if isinstance(ind, str):
            return self.named_steps[ind]
        return self.steps[ind][1]

    def _validate_steps(self) -> None:
        names = [n for n, _ in self.steps]
        dup = [n for n, c in Counter(names).items() if c > 1]
        if dup:
            raise ValueError(f"Names provided are not unique: {names!r}")
        for name in names:
            if "__" in name:
                raise ValueError(f"Estimator names must not contain __: got [{name!r}]")
        for name, t in self.steps[:-1]:
            if t in (None, "passthrough"):
                continue
            if not (hasattr(t, "fit") or hasattr(t, "fit_transform")) or not hasattr(
                t, "transform"
            ):
                raise TypeError(
                    "All intermediate steps should be transformers and implement fit and "
                    f"transform or be the string 'passthrough' '{t}' (step {name!r}) doesn't"
                )

    def _fit_transformers(self, X: Any, y: Any) -> Any:
        self._validate_steps()
        for i, (name, t) in enumerate(self.steps[:-1]):
            if t in (None, "passthrough"):
                continue
            # Fitted in place, as scikit-learn does without a cache (memory=None).
            X = t.fit_transform(X, y) if hasattr(t, "fit_transform") else t.fit(X, y).transform(X)
            self.steps[i] = (name, t)
        return X

    def _transform_until_last(self, X: Any) -> Any:
        for _, t in self.steps[:-1]:
            if t not in (None, "passthrough"):
                X = t.transform(X)
        return X

    def fit(self, X: Any, y: Any = None, **fit_params: Any) -> Pipeline:
        """Fit each transformer on the output of the previous, then the last step."""
        Xt = self._fit_transformers(X, y)
        last = self._final_estimator
        if last not in (None, "passthrough"):
            last.fit(Xt, y, **fit_params)
        return self

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        """Fit, and return the last step's transform of the data."""
        Xt = self._fit_transformers(X, y)
        last = self._final_estimator
        if last in (None, "passthrough"):
            return Xt
        if hasattr(last, "fit_transform"):
            return last.fit_transform(Xt, y, **fit_params)
        return last.fit(Xt, y, **fit_params).transform(Xt)

    def __sklearn_is_fitted__(self) -> bool:
        last = self._final_estimator
        if last in (None, "passthrough"):
            return True
        try:
            check_is_fitted(last)
            return True
        except (ValueError, AttributeError):
            return False

    def _call(self, method: str, X: Any, *args: Any) -> Any:
        Xt = self._transform_until_last(X)
        return getattr(self._final_estimator, method)(Xt, *args)

    def predict(self, X: Any) -> Any:
        """Transform X, then the last step's ``predict``."""
        return self._call("predict", X)

    def predict_proba(self, X: Any) -> Any:
        """Transform X, then the last step's ``predict_proba``."""
        return self._call("predict_proba", X)

    def predict_log_proba(self, X: Any) -> Any:
        """Transform X, then the last step's ``predict_log_proba``."""
        return self._call("predict_log_proba", X)

    def decision_function(self, X: Any) -> Any:
        """Transform X, then the last step's ``decision_function``."""
        return self._call("decision_function", X)

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Transform X, then the last step's ``score``."""
        Xt = self._transform_until_last(X)
        if sample_weight is None:
            return self._final_estimator.score(Xt, y)
        return self._final_estimator.score(Xt, y, sample_weight=sample_weight)

    def transform(self, X: Any) -> Any:
        """Apply every step's ``transform``."""
        Xt = self._transform_until_last(X)
        last = self._final_estimator
        return Xt if last in (None, "passthrough") else last.transform(Xt)

    def inverse_transform(self, X: Any) -> Any:
        """Apply the steps' ``inverse_transform`` in reverse order."""
        for _, t in reversed(self.steps):
            if t not in (None, "passthrough"):
                X = t.inverse_transform(X)
        return X

    @property
    def classes_(self) -> Any:
        return self._final_estimator.classes_

    @property
    def _estimator_type(self) -> Any:
        return getattr(self._final_estimator, "_estimator_type", None)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        last = self._final_estimator
        if last not in (None, "passthrough") and hasattr(last, "__sklearn_tags__"):
            sub = last.__sklearn_tags__()
            tags.estimator_type = sub.estimator_type
            tags.target_tags = sub.target_tags
            tags.transformer_tags = sub.transformer_tags
            tags.classifier_tags = sub.classifier_tags
            tags.regressor_tags = sub.regressor_tags
        return tags


def make_pipeline(*steps: Any, memory: Any = None, verbose: bool = False) -> Pipeline:
    """A :class:`Pipeline` whose step names are the lower-cased class names.

    Examples
    --------
    >>> from groundup.ml.preprocessing import StandardScaler
    >>> make_pipeline(StandardScaler()).steps[0][0]
    'standardscaler'
    """
    names = [
        type(s).__name__.lower() if s not in (None, "passthrough") else "passthrough" for s in steps
    ]
    counts = Counter(names)
    seen: Counter = Counter()
    out = []
    for name, s in zip(names, steps):
        if counts[name] > 1:
            seen[name] += 1
            name = f"{name}-{seen[name]}"
        out.append((name, s))
    return Pipeline(out, memory=memory, verbose=verbose)
