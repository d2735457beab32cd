"""Optimizers: small classes named after their formulas, and a registry by name.

    tn.optimizers.get("rmsprop", lr=0.01)     # build one by name
    tn.optimizers.available()                 # every registered name
    tn.optimizers.register("mine", MyOpt)     # add your own
"""

from .base import Optimizer, available, get, register, trainable_layers
from .rmsprop import RMSProp
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "RMSProp", "available", "get", "register", "trainable_layers"]
