"""Classical machine learning with scikit-learn's estimator contract, in readable NumPy.

Estimators store hyperparameters in ``__init__``, learn ``_``-suffixed attributes in
``fit`` and drop into scikit-learn's ``Pipeline`` and ``GridSearchCV``. scikit-learn is
not needed at runtime (only ``__sklearn_tags__`` imports it, for its estimator checks).

Examples
--------
>>> from groundup.ml import StandardScaler, make_pipeline
>>> make_pipeline(StandardScaler()).fit_transform([[0.0], [2.0]]).ravel()
array([-1.,  1.])
"""

from groundup.ml.base import (
    BaseEstimator,
    ClassifierMixin,
    ClusterMixin,
    RegressorMixin,
    TransformerMixin,
    clone,
)
from groundup.ml.cluster import KMeans, MiniBatchKMeans
from groundup.ml.decomposition import PCA, TruncatedSVD
from groundup.ml.forest import RandomForestClassifier, RandomForestRegressor
from groundup.ml.gradient_boosting import GradientBoostingClassifier, GradientBoostingRegressor
from groundup.ml.hist_gradient_boosting import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from groundup.ml.linear_model import Lasso, LinearRegression, Ridge
from groundup.ml.logistic import LogisticRegression, Perceptron
from groundup.ml.model_selection import (
    GridSearchCV,
    KFold,
    ParameterGrid,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)
from groundup.ml.naive_bayes import BernoulliNB, GaussianNB, MultinomialNB
from groundup.ml.neighbors import KNeighborsClassifier, KNeighborsRegressor
from groundup.ml.pipeline import Pipeline, make_pipeline
from groundup.ml.preprocessing import (
    LabelEncoder,
    MinMaxScaler,
    OneHotEncoder,
    PolynomialFeatures,
    StandardScaler,
)
from groundup.ml.sgd import SGDClassifier, SGDRegressor
from groundup.ml.svm import SVC, LinearSVC
from groundup.ml.tree import DecisionTreeClassifier, DecisionTreeRegressor
from groundup.ml.tree_export import export_text, plot_tree
from groundup.ml.validation import (
    ConvergenceWarning,
    NotFittedError,
    check_array,
    check_is_fitted,
    check_X_y,
)

__all__ = [
    "BaseEstimator",
    "BernoulliNB",
    "ClassifierMixin",
    "ClusterMixin",
    "ConvergenceWarning",
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "GaussianNB",
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "GridSearchCV",
    "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor",
    "KFold",
    "KMeans",
    "KNeighborsClassifier",
    "KNeighborsRegressor",
    "LabelEncoder",
    "Lasso",
    "LinearRegression",
    "LinearSVC",
    "LogisticRegression",
    "MinMaxScaler",
    "MiniBatchKMeans",
    "MultinomialNB",
    "NotFittedError",
    "OneHotEncoder",
    "PCA",
    "ParameterGrid",
    "Perceptron",
    "Pipeline",
    "PolynomialFeatures",
    "RandomForestClassifier",
    "RandomForestRegressor",
    "RegressorMixin",
    "Ridge",
    "SGDClassifier",
    "SGDRegressor",
    "SVC",
    "StandardScaler",
    "StratifiedKFold",
    "TransformerMixin",
    "TruncatedSVD",
    "check_X_y",
    "check_array",
    "check_is_fitted",
    "clone",
    "cross_val_score",
    "export_text",
    "make_pipeline",
    "plot_tree",
    "train_test_split",
]
