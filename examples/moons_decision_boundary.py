"""Decision regions of the same MLP on moons, trained with each optimizer at its own best rate.

Each optimizer's learning rate is tuned on a half-decade grid by the final loss on a
validation split carved from the training data (tinynet.compare, as `tinynet compare`
does; a rate whose run ends elsewhere from weights nudged in the last bit is "erratic" and
never chosen); then every optimizer trains from the same initial weights, with the same batches in
the same order (checked), for 30 epochs. The test set is used once, for the titles.
"""

import numpy as np
from _common import output_folder

import tinynet as tn
from tinynet import compare, compare_tables

out = output_folder(__doc__)
data = compare.three_way(tn.datasets.load("moons", seed=0), seed=0)
entries = compare.compare_on_data(lambda seed: tn.mlp([2, 32, 32, 2], seed=seed), data,
                                  ["sgd", "momentum", "rmsprop", "adam"], epochs=30,
                                  seeds=(0,), target=0.95)
print(compare_tables.grid_report(entries))
print()
print(compare_tables.data_table(entries, 0.95, times=False))
runs = [e.runs[0] for e in entries]
print("identical initial weights and batch order:", compare.identical_conditions(runs))

if out:
    from tinynet.plots import new_figure, save

    fig, axes = new_figure(ncols=4, size=(15, 3.9))
    xx, yy = np.meshgrid(np.linspace(-3, 3, 250), np.linspace(-3, 3, 250))
    grid = np.c_[xx.ravel(), yy.ravel()]
    for ax, e in zip(axes, entries):
        r = e.runs[0]
        proba = r.model.predict_proba(grid)[:, 1].reshape(xx.shape)
        ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.7)
        ax.contour(xx, yy, proba, levels=[0.5], colors="k", linewidths=1)
        ax.scatter(data.X_test[:, 0], data.X_test[:, 1], c=data.y_test, cmap="RdBu_r",
                   edgecolors="k", s=14, linewidths=0.4)
        ax.set_title(f"{e.name}, lr={e.lr:g} (tuned): test accuracy {r.test['accuracy']:.3f}",
                     fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    print("wrote", save(fig, out / "moons_decision_boundary.png"))
