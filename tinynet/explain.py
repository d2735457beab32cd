"""``tinynet explain``: one optimizer step at a time, with every number shown.

The numbers come from the real optimizer classes: the state is read from the optimizer
(``opt.s_dW[1]``), the effective learning rate from ``opt.effective_lr(1)``, the update
from how far the parameter actually moved. Only presentation (the square root of the
state, Adam's bias-corrected moments) is derived here, with its formula beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import optimizers
from .surfaces import Point

STEP = None  # marks the line computed from the real update: -update / lr


def lines_for(opt) -> list[tuple[str, str, object]]:
    """(label, formula, value function of the optimizer) for each line of one step."""
    name = opt.name
    if name == "momentum":
        return [("v_t", "beta*v + (1-beta)*g", lambda o: o.v_dW[1])]
    if name == "rmsprop":
        root = "sqrt(s_t - m_t⊙m_t)" if opt.centered else "sqrt(s_t)"
        lines = [("s_t", "rho*s + (1-rho)*g⊙g", lambda o: o.s_dW[1]),
                 ("sqrt(s_t)", "", lambda o: np.sqrt(o.s_dW[1]))]
        if opt.centered:
            lines.append(("m_t", "rho*m + (1-rho)*g", lambda o: o.m_dW[1]))
        return lines + [("scaled gradient", f"g / ({root} + eps)", STEP),
                        ("eta_eff", f"lr / ({root} + eps)", lambda o: o.effective_lr(1)["W"])]
    if name == "adam":
        return [("v_t", "beta1*v + (1-beta1)*g", lambda o: o.v_dW[1]),
                ("s_t", "beta2*s + (1-beta2)*g⊙g", lambda o: o.s_dW[1]),
                ("v_hat", "v_t / (1-beta1^t)", lambda o: o.v_dW[1] / (1 - o.beta1**o.t)),
                ("s_hat", "s_t / (1-beta2^t)", lambda o: o.s_dW[1] / (1 - o.beta2**o.t)),
                ("eta_eff", "lr / (sqrt(s_hat) + eps)", lambda o: o.effective_lr(1)["W"])]
    if name == "adagrad":
        return [("G_t", "G + g⊙g", lambda o: o.G_dW[1]),
                ("sqrt(G_t)", "", lambda o: np.sqrt(o.G_dW[1])),
                ("scaled gradient", "g / (sqrt(G_t) + eps)", STEP),
                ("eta_eff", "lr / (sqrt(G_t) + eps)", lambda o: o.effective_lr(1)["W"])]
    # any other optimizer (a user's own): its state arrays by name
    return [(f"{key[:-3]}_t", "", (lambda k: lambda o: getattr(o, k)[1])(key))
            for key in opt.state_keys() if key.endswith("_dW")]


def fmt(v) -> str:
    """``(1000, 0.1)``: 4 significant digits, in the article's tuple notation."""
    return "(" + ", ".join(f"{x:.4g}" for x in np.ravel(v)) + ")"


def explain(opt: optimizers.Optimizer, grads: Sequence[Sequence[float]],
            theta0: Sequence[float] | None = None) -> str:
    """Step ``opt`` once per gradient on a parameter theta (zeros by default); return the
    explanation: every line of the first steps, then a table of how the state evolves."""
    grads = check_grads(grads, "grads")
    point = Point(np.zeros(len(grads[0])) if theta0 is None else theta0)
    lines = lines_for(opt)
    hp = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                   for k, v in opt.hyperparams().items() if k != "weight_decay" or v)
    out = [f"{type(opt).__name__}({hp})", f"theta_0 = {fmt(point.W)}; the state starts at zeros",
           ""]
    rows = []
    for t, g in enumerate(grads, start=1):
        before = point.W.copy()
        point.dW[...] = g
        opt.step([point])
        update = point.W - before
        values = {label: np.array(-update / opt.lr if fn is STEP else fn(opt))  # copies
                  for label, _, fn in lines}
        rows.append((g, values, update))
        if t == 1 or len(grads) <= 3:
            out += _block(t, g, lines, values, update, point.W)
    if len(grads) > 3:
        out += _table(rows)
    return "\n".join(out)


def _block(t, g, lines, values, update, theta) -> list[str]:
    left = [f"{a} = {f}" if f else a for a, f, _ in lines] + ["update", f"theta_{t}"]
    width = max(len(x) for x in left)
    shown = [fmt(values[a]) for a, _, _ in lines] + [fmt(update), fmt(theta)]
    return [f"step {t}: g_t = {fmt(g)}", *(f"  {a:<{width}} = {v}" for a, v in zip(left, shown)),
            ""]


def _table(rows) -> list[str]:
    keys = [k for k in rows[0][1] if k in ("v_t", "s_t", "G_t", "eta_eff")]
    cells = [[str(t), fmt(g), *(fmt(v[k]) for k in keys), fmt(u)]
             for t, (g, v, u) in enumerate(rows, start=1)]
    header = ["t", "g_t", *keys, "update"]
    widths = [max(len(r[i]) for r in [header, *cells]) for i in range(len(header))]
    line = "  ".join
    return ["how the state evolves:",
            "  " + line(h.rjust(w) for h, w in zip(header, widths)),
            *("  " + line(c.rjust(w) for c, w in zip(r, widths)) for r in cells), ""]


def sgd_contrast(lr: float, g) -> str:
    """One plain SGD step with the same lr and gradient, for comparison."""
    point = Point(np.zeros(len(g)))
    point.dW[...] = g
    optimizers.SGD(lr=lr).step([point])
    moved = np.abs(point.W)
    spread = f" (largest/smallest: {moved.max() / moved.min():.3g}x)" if moved.min() > 0 else ""
    return f"plain SGD, same lr: update = -lr * g = {fmt(point.W)}{spread}"


def read_grads(path) -> list[list[float]]:
    """Gradients from a text file: one step per line, numbers separated by commas or spaces;
    ``#`` starts a comment."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"gradient file not found: {path}")
    grads = []
    for n, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.split("#")[0].strip()
        if line:
            try:
                grads.append([float(x) for x in line.replace(",", " ").split()])
            except ValueError:
                raise ValueError(f"{path}, line {n}: expected numbers, got {line!r}") from None
    return check_grads(grads, str(path))


def check_grads(grads, source: str) -> list:
    grads = [list(np.ravel(np.asarray(g, dtype=float))) for g in grads]
    if not grads or not grads[0]:
        raise ValueError(f"{source}: no gradients given")
    sizes = {len(g) for g in grads}
    if len(sizes) != 1:
        raise ValueError(f"{source}: every gradient needs the same length, got {sorted(sizes)}")
    if not np.all(np.isfinite(np.array(grads))):
        raise ValueError(f"{source}: gradients must be finite")
    return grads
