"""The global learning rate still matters: validation loss against lr, SGD and RMSProp.

Each point trains the same digits MLP from the same initial weights, with the same batches,
for 5 epochs, and measures the loss on a validation split carved from the training data.
RMSProp is not learning-rate free: too small a rate learns slowly, too large a rate
breaks training. Its good range sits far lower than SGD's, because RMSProp's steps are
about lr in size whatever the gradient scale.

Every rate is trained twice, the second time from weights nudged by one unit in the last
place (``compare.nudged``): from the first rate where the two runs end apart, training is
past the edge of stability and its loss depends on the last bit of the arithmetic (another
CPU prints another number), so the table says "erratic" there instead of a number (or inf
where both runs diverged).
"""

import copy

import numpy as np
from _common import output_folder

import tinynet as tn
from tinynet import compare

out = output_folder(__doc__)
data = compare.three_way(tn.datasets.load("digits", seed=0), seed=0)  # test set unused
base = tn.mlp([64, 64, 10], seed=0)
rates = np.geomspace(1e-5, 3.0, 12)
epochs = 5


def final_loss(model, optimizer) -> float:
    trainer = tn.Trainer(model, tn.SoftmaxCrossEntropy(), optimizer,
                         batch_size=32, seed=0, progress=False, teaching_warnings=False)
    try:
        history = trainer.fit(data.X_train, data.y_train, epochs=epochs,
                              validation_data=(data.X_val, data.y_val))
        loss = history["val_loss"][-1]
    except tn.DivergenceError:
        loss = np.inf
    return loss if loss < 10 else np.inf  # chance level is ln(10) = 2.3


final, erratic = {}, {}
for name, make in (("SGD", tn.optimizers.SGD), ("RMSProp", tn.optimizers.RMSProp)):
    final[name] = [final_loss(copy.deepcopy(base), make(lr=lr)) for lr in rates]
    twins = [final_loss(compare.nudged(copy.deepcopy(base)), make(lr=lr)) for lr in rates]
    unsure = compare.erratic_rates(rates, final[name], twins)  # from the edge on
    erratic[name] = [lr in unsure for lr in rates]

print(f"validation loss after {epochs} epochs (inf: diverged, or above 10; erratic: the loss "
      f"depends on the last bit)")
print(f"{'lr':>10}" + "".join(f"{n:>12}" for n in final))
for i, lr in enumerate(rates):
    cells = ("erratic" if erratic[n][i] else f"{final[n][i]:.4g}" for n in final)
    print(f"{lr:>10.2g}" + "".join(f"{c:>12}" for c in cells))
best = {}
for name, losses in final.items():
    stable = [i for i in range(len(rates)) if not erratic[name][i]]
    i = min(stable, key=lambda i: losses[i])
    best[name] = rates[i]
    print(f"best lr for {name}: {rates[i]:.2g} (validation loss {losses[i]:.3g})")
print(f"SGD's best rate / RMSProp's: {best['SGD'] / best['RMSProp']:.0f}")

if out:
    from tinynet.plots import COLORS, new_figure, save

    fig, ax = new_figure(size=(6.4, 4.4))
    for name, losses in final.items():
        losses, unsure = np.array(losses), np.array(erratic[name])
        ok = np.isfinite(losses) & ~unsure
        broke = ~np.isfinite(losses) & ~unsure
        ax.plot(rates[ok], losses[ok], "o-", color=COLORS[name], label=name)
        if broke.any():
            ax.plot(rates[broke], np.full(broke.sum(), 8.0 if name == "SGD" else 5.0), "x",
                    color=COLORS[name], markersize=9, label=f"{name} diverged")
        if unsure.any():  # drawn at a fixed height: the value differs from machine to machine
            ax.plot(rates[unsure], np.full(unsure.sum(), 3.5), linestyle="none", marker="$?$",
                    color=COLORS[name], markersize=9, label=f"{name} erratic")
    ax.axhline(np.log(10), color="0.6", linestyle=":", label="chance (ln 10)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel(f"validation loss after {epochs} epochs")
    ax.set_title("digits, 64-64-10: the global learning rate still matters", fontsize=10)
    ax.legend(fontsize=8)
    print("wrote", save(fig, out / "learning_rate_sweep.png"))
