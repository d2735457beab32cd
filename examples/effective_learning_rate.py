"""RMSProp's effective learning rate, lr / (sqrt(s) + eps), per layer while training on digits.

Every weight gets its own rate: weights whose gradients are consistently large get small
rates, weights with small gradients get large ones, and the spread within one layer covers
orders of magnitude. The article's con, "can shrink useful directions too much", would
show as the lower edge of each band: weights slowed far below their layer's typical rate
because their recent gradients were large. In this run that edge is thin: the table
prints the share of weights below a tenth of the median at the end (none) and the lowest
min/median ratio seen at any recorded step (the slowest single weight at that step).
"""

import numpy as np
from _common import output_folder

import tinynet as tn

out = output_folder(__doc__)
X_train, X_test, y_train, y_test = tn.datasets.load("digits", seed=0)
model = tn.mlp([64, 128, 64, 10], seed=0)
opt = tn.optimizers.RMSProp(lr=0.001)
stats = tn.OptimizerStats(every=15)
trainer = tn.Trainer(model, tn.SoftmaxCrossEntropy(), opt, batch_size=32, seed=0,
                     progress=False, callbacks=[stats])
trainer.fit(X_train, y_train, epochs=10)
print(f"digits, 64-128-64-10, {opt!r}, 10 epochs: test accuracy "
      f"{trainer.evaluate(X_test, y_test)['accuracy']:.4f}")

steps = trainer.history.steps
print(f"\n{'layer':<7}{'median eta_eff':>16}{'min':>10}{'max':>10}"
      f"{'shrunk below median/10':>25}{'  (over training: lowest min / median)':<20}")
for l in range(1, 4):
    eff = opt.effective_lr(l)["W"]
    eff = eff[eff < opt.lr / opt.eps]  # leave out weights that never had a gradient
    med = np.median(eff)
    ratios = np.array(steps[f"eff_lr_min/{l}"]) / np.array(steps[f"eff_lr_median/{l}"])
    print(f"{l:<7}{med:>16.3g}{eff.min():>10.3g}{eff.max():>10.3g}"
          f"{np.mean(eff < med / 10):>24.1%}   {ratios.min():.3g} at step "
          f"{steps['step'][int(np.argmin(ratios))]:.0f}")
print(f"(a weight with no gradient at all, e.g. for an always-blank pixel, keeps the ceiling "
      f"lr/eps = {opt.lr / opt.eps:.0e}; those are left out)")
first, last = steps["eff_lr_median/1"][0], steps["eff_lr_median/1"][-1]
print(f"\nlayer 1 median eta_eff: {first:.3g} after the first step, {last:.3g} at the end "
      f"(gradients shrink as the loss falls, so the rates grow)")
print(f"update/weight ratio ||dW||/||W||, layer 1: {steps['update_ratio/1'][0]:.2e} -> "
      f"{steps['update_ratio/1'][-1]:.2e}")

if out:
    from tinynet.plots import new_figure, save

    fig, (ax, ax2) = new_figure(ncols=2, size=(11, 4.2))
    t = np.array(steps["step"])
    for l, color in zip((1, 2, 3), ("tab:blue", "tab:orange", "tab:green")):
        lo, mid = np.array(steps[f"eff_lr_min/{l}"]), np.array(steps[f"eff_lr_median/{l}"])
        ax.plot(t, mid, color=color, label=f"layer {l} median")
        ax.fill_between(t, lo, mid, color=color, alpha=0.15)
        eff = opt.effective_lr(l)["W"]
        eff = eff[eff < opt.lr / opt.eps]
        ax2.hist(np.log10(eff), bins=60, color=color, alpha=0.5, label=f"layer {l}")
    ax.set_yscale("log")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("effective learning rate (median, shaded down to min)")
    ax.set_title("η_eff = lr / (√s + ε) while training", fontsize=10)
    ax.legend(fontsize=8)
    ax2.set_xlabel("log10 η_eff at the end of training")
    ax2.set_ylabel("number of weights")
    ax2.set_title("each weight's own rate (lr = 1e-3)", fontsize=10)
    ax2.legend(fontsize=8)
    print("wrote", save(fig, out / "effective_learning_rate.png"))
