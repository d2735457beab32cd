"""Tune RMSProp's lr and rho on digits with scikit-learn's GridSearchCV.

TinyNetClassifier is a scikit-learn estimator, so it drops into a Pipeline with a
StandardScaler (fitted on each training fold only) and into GridSearchCV with n_jobs=2.
"""

from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tinynet.estimators import TinyNetClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y,
                                                    random_state=0)
pipe = make_pipeline(StandardScaler(), TinyNetClassifier(hidden_layer_sizes=(64,), epochs=15,
                                                         optimizer="rmsprop", random_state=0))
grid = {"tinynetclassifier__lr": [1e-4, 1e-3, 1e-2],
        "tinynetclassifier__rho": [0.5, 0.9, 0.99]}
search = GridSearchCV(pipe, grid, cv=StratifiedKFold(3, shuffle=True, random_state=0),
                      n_jobs=2)
search.fit(X_train, y_train)

print("cross-validated accuracy (mean over 3 folds) for each lr and rho:")
results = search.cv_results_
for params, mean, std in zip(results["params"], results["mean_test_score"],
                             results["std_test_score"]):
    lr, rho = params["tinynetclassifier__lr"], params["tinynetclassifier__rho"]
    print(f"  lr={lr:<7g} rho={rho:<5g} {mean:.4f} ± {std:.4f}")
best = search.best_params_
print(f"best: lr={best['tinynetclassifier__lr']:g}, rho={best['tinynetclassifier__rho']:g}, "
      f"cross-validated accuracy {search.best_score_:.4f}")
best_std = results["std_test_score"][search.best_index_]
close = [f"lr={p['tinynetclassifier__lr']:g} rho={p['tinynetclassifier__rho']:g}"
         for p, m in zip(results["params"], results["mean_test_score"])
         if m >= search.best_score_ - best_std]
print(f"within one standard deviation of the best ({best_std:.4f}): {', '.join(close)}; "
      f"the folds cannot tell these apart")
print(f"test accuracy of the refitted best pipeline: {search.score(X_test, y_test):.4f}")
