"""The article's worked example, computed by tinynet's real RMSProp class.

theta = (0, 0), g = (100, 1), lr = 0.01, rho = 0.9, s starts at 0, eps ignored:
    s_t = (1000, 0.1),  sqrt(s_t) = (31.62, 0.316),  g / sqrt(s_t) = (3.16, 3.16),
    update = (-0.0316, -0.0316),  while plain SGD would move (-1, -0.01).
"""

import numpy as np
from _common import output_folder

import tinynet as tn
from tinynet.explain import explain, sgd_contrast

out = output_folder(__doc__)
g = np.array([100.0, 1.0])

print(explain(tn.optimizers.RMSProp(lr=0.01, rho=0.9, eps=0), [g]))
print(sgd_contrast(0.01, g))

# The same numbers through a Dense layer, the way a network uses the optimizer.
layer = tn.Dense(2, 1)
layer.W[:] = 0.0
layer.dW, layer.db = g.reshape(2, 1), np.zeros(1)
opt = tn.optimizers.RMSProp(lr=0.01, rho=0.9, eps=0)
opt.step([layer])
print(f"\nthrough Dense(2, 1): s_dW[1] = {opt.s_dW[1].ravel()}, W = {layer.W.ravel()}")

if out:
    from tinynet.plots import new_figure, save

    sgd, rms = -0.01 * g, layer.W.ravel()
    fig, ax = new_figure(size=(5.5, 5))
    for vec, name, color in ((sgd, "SGD: -lr·g = (-1, -0.01)", "tab:red"),
                             (rms, "RMSProp: (-0.0316, -0.0316)", "tab:blue")):
        unit = vec / np.linalg.norm(vec)
        ax.annotate("", xy=unit, xytext=(0, 0),
                    arrowprops={"arrowstyle": "->", "color": color, "lw": 2.5})
        ax.plot([], [], color=color, lw=2.5, label=name)
    ax.set_xlim(-1.15, 0.25)
    ax.set_ylim(-1.15, 0.25)
    ax.set_aspect("equal")
    ax.axhline(0, color="0.8")
    ax.axvline(0, color="0.8")
    ax.set_xlabel("step in θ₁ (gradient 100)")
    ax.set_ylabel("step in θ₂ (gradient 1)")
    ax.set_title("Direction of one step from g = (100, 1)\n(arrows scaled to unit length)",
                 fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    print("wrote", save(fig, out / "rmsprop_worked_example.png"))
