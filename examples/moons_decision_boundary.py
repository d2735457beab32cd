"""Decision regions of the same MLP on moons, trained with each optimizer.

Every optimizer starts from the same initial weights and sees the same batches in the same
order (tinynet.compare checks both) for 30 epochs. The rates are each optimizer's good range
from learning_rate_sweep.py: SGD and Momentum 0.1, RMSProp and Adam 0.005, since an
adaptive step is about lr in size whatever the gradient.
"""

import numpy as np
from _common import output_folder

import tinynet as tn
from tinynet import compare

out = output_folder(__doc__)
data = tn.datasets.load("moons", seed=0)
X_train, X_test, y_train, y_test = data
model = tn.mlp([2, 32, 32, 2], seed=0)
opts = [tn.optimizers.SGD(lr=0.1), tn.optimizers.Momentum(lr=0.1),
        tn.optimizers.RMSProp(lr=0.005), tn.optimizers.Adam(lr=0.005)]
results = compare.compare_on_data(model, data, opts, epochs=30, batch_size=32, seed=0,
                                  target=0.95)
print(compare.data_table(results, 0.95))
print("identical initial weights and batch order:", compare.identical_conditions(results))

if out:
    from tinynet.plots import new_figure, save

    fig, axes = new_figure(ncols=4, size=(15, 3.9))
    xx, yy = np.meshgrid(np.linspace(-3, 3, 250), np.linspace(-3, 3, 250))
    grid = np.c_[xx.ravel(), yy.ravel()]
    for ax, r in zip(axes, results):
        proba = r.model.predict_proba(grid)[:, 1].reshape(xx.shape)
        ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.7)
        ax.contour(xx, yy, proba, levels=[0.5], colors="k", linewidths=1)
        ax.scatter(X_test[:, 0], X_test[:, 1], c=y_test, cmap="RdBu_r", edgecolors="k",
                   s=14, linewidths=0.4)
        ax.set_title(f"{r.name}: test accuracy {r.history['val_accuracy'][-1]:.3f}", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    print("wrote", save(fig, out / "moons_decision_boundary.png"))
