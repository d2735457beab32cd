"""Checkpoints: everything a Trainer needs to continue exactly, in one ``.npz``.

A checkpoint holds the model (architecture and weights), the optimizer (name,
hyperparameters, step count, lr and state arrays), the loss, the trainer's settings, the
epoch counter, the History and the state of the generator that shuffles the batches.
Arrays are stored as arrays; everything else as JSON text. Nothing is pickled, and the
file is replaced atomically, so an interrupted save leaves the previous checkpoint intact.
"""

from __future__ import annotations

import numpy as np

from . import optimizers
from .callbacks import rebuild
from .dropout import mask_states, set_mask_states
from .files import MALFORMED, from_json_array, json_array, load_npz, save_npz, unusable
from .history import History
from .losses import LOSSES
from .model import Sequential
from .validation import check_number

FORMAT = "tinynet-checkpoint"
FORMAT_VERSION = 1


def save(path, model, optimizer, loss, settings: dict, epoch: int, history: History,
         rng: np.random.Generator, extra: dict | None = None, callbacks=()) -> None:
    """Write a checkpoint (see the module docstring for what it holds)."""
    loss_name = next((n for n, cls in LOSSES.items() if type(loss) is cls), None)
    if loss_name is None:
        raise ValueError(f"cannot checkpoint a custom loss ({type(loss).__name__}); "
                         f"built-in losses: {sorted(LOSSES)}")
    if optimizer.name not in optimizers.available() or optimizers.lookup(
            optimizer.name) is not type(optimizer):
        raise ValueError(f"cannot checkpoint {type(optimizer).__name__}: register it with "
                         f"tinynet.optimizers.register(name, cls) so it can be rebuilt")
    state = optimizer.state_dict()
    meta = {
        "model": model.config(),
        "optimizer": {k: state[k] for k in ("name", "hyperparams", "t", "lr")},
        "loss": loss_name,
        "trainer": settings,
        "epoch": epoch,
        "history": history.to_dict(),
        "rng": rng.bit_generator.state,
        "dropout_rngs": mask_states(model.layers),
        "extra": extra or {},
        "callbacks": [],
    }
    arrays = {f"optimizer/{k}": v for k, v in state.items() if "/" in k}
    for i, cb in enumerate(callbacks):  # schedules, early stopping: resumed where they were
        cb_state = cb.state_dict()
        meta["callbacks"].append({"type": type(cb).__name__, "config": cb.config(),
                                  "state": cb_state["data"]})
        arrays.update({f"callbacks/{i}/{k}": a for k, a in cb_state["arrays"].items()})
    save_npz(path, {"format": np.array(FORMAT), "version": np.array(FORMAT_VERSION),
                    "meta": json_array(meta), **model.arrays("model/"), **arrays})


def load(path) -> dict:
    """Read a checkpoint into its parts: model, optimizer, loss, settings, epoch, history,
    rng, extra. Everything is checked before anything is returned."""
    data = load_npz(path, "tinynet checkpoint")
    if str(data.get("format", "")) != FORMAT:
        hint = " (it is a model file: use Sequential.load)" if "config" in data else ""
        raise ValueError(f"{path} is not a tinynet checkpoint{hint}")
    if "meta" not in data:
        raise ValueError(f"{path}: not a usable tinynet checkpoint (no 'meta' entry)")
    meta = from_json_array(data["meta"], path, "meta")
    try:
        if not isinstance(meta, dict):
            raise TypeError(f"its metadata is a {type(meta).__name__}, not a mapping")
        model = Sequential.from_arrays(meta["model"], data, path, prefix="model/")
        opt_meta = meta["optimizer"]
        name = opt_meta["name"]
        if name not in optimizers.available():
            raise ValueError(
                f"it uses optimizer {name!r}, which is not registered here: import the "
                f"module that registers it first")
        optimizer = optimizers.get(name, **opt_meta["hyperparams"])
        state = {**opt_meta, **{k[len("optimizer/"):]: v for k, v in data.items()
                                if k.startswith("optimizer/")}}
        for key, value in state.items():
            if isinstance(value, np.ndarray) and not np.isfinite(value).all():
                raise ValueError(f"optimizer state {key!r} holds NaN or infinite values")
        optimizer.load_state_dict(state, model)
        loss = LOSSES[meta["loss"]]()
        rng = np.random.default_rng()
        rng.bit_generator.state = meta["rng"]
        set_mask_states(model.layers, meta.get("dropout_rngs", []))
        epoch = check_number("epoch", meta["epoch"], low=0, high=10**9, integer=True)
        history = History.from_dict(meta["history"])
        if len(history) != epoch:
            raise ValueError(f"its history has {len(history)} epochs, but its epoch is {epoch}")
        saved = meta.get("callbacks", [])
        for i, record in enumerate(saved):
            prefix = f"callbacks/{i}/"
            record["state"] = {"data": record["state"], "arrays": {
                k[len(prefix):]: v for k, v in data.items() if k.startswith(prefix)}}
        callbacks, missing = rebuild(saved)
        parts = {"model": model, "optimizer": optimizer, "loss": loss,
                 "callbacks": callbacks, "missing_callbacks": missing,
                 "settings": dict(meta["trainer"]), "epoch": epoch,
                 "history": history, "rng": rng,
                 "extra": meta.get("extra", {})}
    except MALFORMED as err:
        if str(path) in str(err):  # it names the file already
            raise
        raise unusable(path, "not a usable tinynet checkpoint", err) from err
    return parts
