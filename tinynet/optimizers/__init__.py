"""Optimizers: small classes named after their formulas, and a registry by name.

    tn.optimizers.get("rmsprop", lr=0.01)     # build one by name
    tn.optimizers.available()                 # every registered name
    tn.optimizers.register("mine", MyOpt)     # add your own (also works as a decorator)

Reading order: ``rmsprop.py`` (the article's formula, one parameter of one layer at a
time), then ``base.py`` (``Optimizer.step``: the loop over layers l = 1..L), then
``fused.py`` (the fast path that runs the same formula once over every layer).

Writing your own optimizer: subclass ``Optimizer`` and write

- ``state_symbols``, e.g. ``("v", "u")``: the base class keeps ``opt.v_dW[l]``,
  ``opt.v_db[l]``, ... for every layer l, zeros at the first step;
- ``__init__`` with your hyperparameters as named arguments with defaults, checked with
  ``self.decay_rate(...)``/``self.non_negative(...)``, then ``super().__init__(lr=lr,
  weight_decay=weight_decay)``; the names become ``tinynet train --NAME`` options and
  scikit-learn estimator parameters;
- ``update(self, W, dW, v, u)``: the formula for one parameter (W or b) of one layer,
  changing ``W`` and the state arrays in place; ``self.t`` is the step number (1 at the
  first step);
- optionally ``elementwise = True`` (update treats every number on its own, so the fast
  path may run it once on all parameters), ``effective_lr(l)``, and ``fused_update``, an
  allocation-free copy of ``update`` that must give the same numbers bit for bit.

You never touch ``step``, the state dicts' creation, weight decay, ``state_dict`` or the
one-buffer layout. ``tinynet.testing.check_optimizer(YourClass)`` checks the rest, and
``register("name")`` makes it usable by name.
"""

from ..model import trainable_layers
from . import schedules
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import AdaMax
from .base import Optimizer, divide
from .lion import Lion
from .momentum import Momentum
from .nadam import NAdam
from .params import UndeclaredParameterWarning
from .radam import RAdam
from .registry import available, get, lookup, register, unregister
from .rmsprop import RMSProp
from .sgd import SGD

__all__ = ["SGD", "AdaMax", "Adadelta", "Adagrad", "Adam", "AdamW", "Lion", "Momentum", "NAdam",
           "UndeclaredParameterWarning",
           "Optimizer", "RAdam", "RMSProp", "available", "divide", "get", "lookup", "register",
           "schedules", "trainable_layers", "unregister"]
