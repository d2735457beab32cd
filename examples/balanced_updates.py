"""The article's Image 2: RMSProp turns uneven raw gradients into balanced updates.

For g = (100, 1) with lr = 0.01: the raw gradient is 100:1, SGD's update keeps that 100:1
ratio, RMSProp's update is 1:1. Then the same over 20 steps of noisy gradients whose
scales differ 1000-fold, where RMSProp's steps stay within a small band of each other.
"""

import numpy as np
from _common import output_folder

import tinynet as tn
from tinynet.surfaces import Point

out = output_folder(__doc__)


def one_step(opt, g):
    p = Point(np.zeros(len(g)))
    p.dW[...] = g
    opt.step([p])
    return -p.W


g = np.array([100.0, 1.0])
sgd = one_step(tn.optimizers.SGD(lr=0.01), g)
rms = one_step(tn.optimizers.RMSProp(lr=0.01, rho=0.9, eps=0), g)
print(f"{'':<22}{'theta_1':>10}{'theta_2':>10}{'ratio':>9}")
for name, v in (("raw gradient |g|", g), ("SGD |update|", sgd), ("RMSProp |update|", rms)):
    print(f"{name:<22}{v[0]:>10.4g}{v[1]:>10.4g}{v[0] / v[1]:>9.3g}")

# Many steps: four parameters with gradient scales 1000, 10, 0.1, 0.001 and random signs.
rng = np.random.default_rng(0)
scales = np.array([1e3, 1e1, 1e-1, 1e-3])
grads = rng.standard_normal((20, 4)) * scales
updates = {}
for name, opt in (("SGD", tn.optimizers.SGD(lr=1e-3)), ("RMSProp", tn.optimizers.RMSProp(lr=1e-3))):
    p = Point(np.zeros(4))
    steps = []
    for gt in grads:
        before = p.W.copy()
        p.dW[...] = gt
        opt.step([p])
        steps.append(np.abs(p.W - before))
    updates[name] = np.mean(steps, axis=0)
print("\nmean |update| over 20 noisy steps, gradient scales 1e3, 1e1, 1e-1, 1e-3:")
for name, u in updates.items():
    print(f"  {name:<8} " + "  ".join(f"{x:.3g}" for x in u) +
          f"   (largest/smallest: {u.max() / u.min():.3g}x)")

if out:
    from tinynet.plots import new_figure, save

    fig, (a1, a2) = new_figure(ncols=2, size=(10, 4))
    x = np.arange(2)
    for i, (name, v, c) in enumerate((("raw gradient", g, "0.5"), ("SGD update", sgd, "tab:red"),
                                      ("RMSProp update", rms, "tab:blue"))):
        a1.bar(x + (i - 1) * 0.27, v, width=0.27, color=c, label=name)
    a1.set_yscale("log")
    a1.set_xticks(x, ["θ₁ (g = 100)", "θ₂ (g = 1)"])
    a1.set_ylabel("magnitude (log scale)")
    a1.set_title("one step, g = (100, 1), lr = 0.01", fontsize=10)
    a1.legend(fontsize=8)
    x = np.arange(4)
    for i, (name, c) in enumerate((("SGD", "tab:red"), ("RMSProp", "tab:blue"))):
        a2.bar(x + (i - 0.5) * 0.4, updates[name], width=0.4, color=c, label=name)
    a2.set_yscale("log")
    a2.set_xticks(x, [f"scale {s:g}" for s in scales])
    a2.set_ylabel("mean |update| (log scale)")
    a2.set_title("20 noisy steps, lr = 0.001", fontsize=10)
    a2.legend(fontsize=8)
    print("wrote", save(fig, out / "balanced_updates.png"))
