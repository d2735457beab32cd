""""Look at one step": the next mini-batch's forward and backward pass, layer by layer, each
quantity with its formula and shape (``tn.trace``), and the update each optimizer is about
to make, in the article's symbols with their current numbers. Everything is computed on
copies, so looking changes nothing; it works before the first step too.
"""

from __future__ import annotations

import copy

import numpy as np

from ..trace import trace


def look(trainer, X: np.ndarray, y: np.ndarray, activation: str) -> dict:
    """One optimizer's view of the next step on the batch (X, y)."""
    t = trace(trainer.model, trainer.loss, X, y)
    opt, after = _next_step(trainer, X, y)
    numbers = {"lr": opt.lr, "t": opt.t}  # t: the step about to be made
    for key in opt.state_keys():
        numbers[f"mean |{key}[1]|"] = float(np.mean(np.abs(getattr(opt, key)[1])))
    numbers["mean eta_eff (layer 1 W)"] = float(np.mean(opt.effective_lr(1)["W"]))
    L, g = len(trainer.model.dense_layers), activation
    layers = []
    for l, layer in enumerate(trainer.model.dense_layers, start=1):
        delta = after.dense_layers[l - 1].W - layer.W
        rows = [("Z", f"Z[{l}] = A[{l - 1}] W[{l}] + b[{l}]", t.Z[l]),
                ("A", f"A[{l}] = {g}(Z[{l}])" if l < L else
                 f"A[{L}] = Z[{L}], the logits (the loss applies softmax)", t.A[l])]
        if l < L:
            rows.append(("dA", f"dA[{l}] = dZ[{l + 1}] W[{l + 1}]ᵀ", t.dA[l]))
        rows += [("dZ", f"dZ[{l}] = dA[{l}] ⊙ {g}'(Z[{l}])" if l < L else
                  f"dZ[{L}] = (softmax(Z[{L}]) - Y) / B", t.dZ[l]),
                 ("dW", f"dW[{l}] = A[{l - 1}]ᵀ dZ[{l}]", t.dW[l]),
                 ("db", f"db[{l}] = the sum of dZ[{l}] over the batch", t.db[l]),
                 ("update", f"the change of W[{l}] this step", delta)]
        layers.append({"l": l, "update": delta.tolist(),
                       **{key: np.round(value, 4).tolist() for key, _, value in rows[:-1]},
                       "rows": [{"quantity": key, "formula": formula,
                                 "shape": list(np.shape(value)),
                                 "values": np.round(value, 6).tolist()}
                                for key, formula, value in rows]})
    return {"optimizer": repr(trainer.optimizer), "name": type(opt).__name__,
            "formula": formula_of(type(opt)), "numbers": numbers,
            "hyperparameters": trainer.optimizer.hyperparams(), "loss": t.loss,
            "batch": len(X), "layers": layers}


def _next_step(trainer, X: np.ndarray, y: np.ndarray) -> tuple:
    """Copies of the trainer's optimizer and model after one training step on (X, y): the
    update the real optimizer is about to make (its state created as a first step does)."""
    model, loss, opt = (copy.deepcopy(x) for x in (trainer.model, trainer.loss,
                                                   trainer.optimizer))
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    opt.step(model)
    return opt, model


def formula_of(cls) -> str:
    """The update formula from an optimizer's docstring (its first ``::`` block)."""
    doc = (cls.__doc__ or "").split("::", 1)
    if len(doc) < 2:
        return ""
    lines = []
    for line in doc[1].splitlines()[1:]:
        if line.strip() == "" and lines:
            break
        if line.strip():
            lines.append(line.strip())
    return "\n".join(lines)
