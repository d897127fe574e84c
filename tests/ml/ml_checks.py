"""What the scikit-learn estimator-check tests of groundup.ml share."""

# The one check every groundup estimator is expected to fail, and why.
UNFITTED = (
    "groundup raises its own NotFittedError (a ValueError and AttributeError, as "
    "scikit-learn's); the check wants sklearn.exceptions.NotFittedError itself, which "
    "groundup.ml cannot raise without importing scikit-learn at runtime"
)
