"""The global learning rate still matters: validation loss against lr, SGD and RMSProp.

Each point trains the same digits MLP from the same initial weights, with the same batches,
for 5 epochs, and measures the loss on a validation split carved from the training data.
RMSProp is not learning-rate free: too small a rate learns slowly, too large a rate
breaks training. Its good range sits far lower than SGD's, because RMSProp's steps are
about lr in size whatever the gradient scale.
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
final = {}
for name, make in (("SGD", tn.optimizers.SGD), ("RMSProp", tn.optimizers.RMSProp)):
    final[name] = []
    for lr in rates:
        trainer = tn.Trainer(copy.deepcopy(base), tn.SoftmaxCrossEntropy(), make(lr=lr),
                             batch_size=32, seed=0, progress=False, teaching_warnings=False)
        try:
            history = trainer.fit(data.X_train, data.y_train, epochs=epochs,
                                  validation_data=(data.X_val, data.y_val))
            loss = history["val_loss"][-1]
        except tn.DivergenceError:
            loss = np.inf
        final[name].append(loss if loss < 10 else np.inf)  # chance level is ln(10) = 2.3

print(f"validation loss after {epochs} epochs (inf: diverged, or above 10)")
print(f"{'lr':>10}" + "".join(f"{n:>12}" for n in final))
for i, lr in enumerate(rates):
    print(f"{lr:>10.2g}" + "".join(f"{final[n][i]:>12.4g}" for n in final))
for name, losses in final.items():
    i = int(np.argmin(losses))
    print(f"best lr for {name}: {rates[i]:.2g} (validation loss {losses[i]:.3g})")
sgd, rms = (rates[int(np.argmin(final[n]))] for n in ("SGD", "RMSProp"))
print(f"SGD's best rate / RMSProp's: {sgd / rms:.0f}")

if out:
    from tinynet.plots import COLORS, new_figure, save

    fig, ax = new_figure(size=(6.4, 4.4))
    for name, losses in final.items():
        losses = np.array(losses)
        ok = np.isfinite(losses)
        ax.plot(rates[ok], losses[ok], "o-", color=COLORS[name], label=name)
        if (~ok).any():
            ax.plot(rates[~ok], np.full((~ok).sum(), 8.0 if name == "SGD" else 5.0), "x",
                    color=COLORS[name],
                    markersize=9, label=f"{name} diverged")
    ax.axhline(np.log(10), color="0.6", linestyle=":", label="chance (ln 10)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel(f"validation loss after {epochs} epochs")
    ax.set_title("digits, 64-64-10: the global learning rate still matters", fontsize=10)
    ax.legend(fontsize=8)
    print("wrote", save(fig, out / "learning_rate_sweep.png"))
