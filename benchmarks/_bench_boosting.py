"""Gradient-boosting rows of the tree benchmark: groundup vs scikit-learn, same data.

``boosting_cases()`` returns :class:`bench_trees.Case` rows, which ``bench_trees.py`` adds
to its table. Defaults of both libraries throughout (GradientBoosting: 100 trees of depth
3; HistGradientBoosting: up to 100 iterations of 31 leaves, early stopping on above 10,000
rows, so both stop on their own validation loss). scikit-learn's HistGradientBoosting
runs on all cores with OpenMP; groundup on one core, plus what NumPy's BLAS uses (nothing
here).

Run alone: ``python benchmarks/_bench_boosting.py [--repeats 3] [--only Hist]``.
"""

from __future__ import annotations

from bench_trees import Case, classification, regression


def boosting_cases() -> list[Case]:
    from sklearn import ensemble

    from groundup.ml import gradient_boosting as gu_gb
    from groundup.ml import hist_gradient_boosting as gu_hgb

    cases = []
    for n in (20_000, 100_000):
        k = f"{n // 1000}k"
        cases += [
            Case(
                f"GradientBoostingClassifier(100) {k}x20",
                classification(n),
                lambda: gu_gb.GradientBoostingClassifier(random_state=0),
                lambda: ensemble.GradientBoostingClassifier(random_state=0),
                max_repeats=3 if n < 100_000 else 1,
            ),
            Case(
                f"HistGradientBoostingClassifier {k}x20",
                classification(n),
                lambda: gu_hgb.HistGradientBoostingClassifier(random_state=0),
                lambda: ensemble.HistGradientBoostingClassifier(random_state=0),
            ),
        ]
    cases += [
        Case(
            "GradientBoostingRegressor(100) 20kx20",
            regression(20_000),
            lambda: gu_gb.GradientBoostingRegressor(random_state=0),
            lambda: ensemble.GradientBoostingRegressor(random_state=0),
            max_repeats=3,
        ),
        Case(
            "HistGradientBoostingRegressor 20kx20",
            regression(20_000),
            lambda: gu_hgb.HistGradientBoostingRegressor(random_state=0),
            lambda: ensemble.HistGradientBoostingRegressor(random_state=0),
        ),
        Case(
            "HistGradientBoostingClassifier(no early stop) 20kx20",
            classification(20_000),
            lambda: gu_hgb.HistGradientBoostingClassifier(early_stopping=False),
            lambda: ensemble.HistGradientBoostingClassifier(early_stopping=False),
        ),
    ]
    return cases


if __name__ == "__main__":
    import bench_trees

    bench_trees.all_cases = boosting_cases  # bench_trees' table, with only these rows
    bench_trees.main()
