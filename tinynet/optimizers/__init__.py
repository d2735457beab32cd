"""Optimizers: small classes named after their formulas, and a registry by name.

    tn.optimizers.get("rmsprop", lr=0.01)     # build one by name
    tn.optimizers.available()                 # every registered name
    tn.optimizers.register("mine", MyOpt)     # add your own (also works as a decorator)
"""

from . import schedules
from .adagrad import Adagrad
from .adam import Adam
from .base import Optimizer, trainable_layers
from .momentum import Momentum
from .registry import available, get, lookup, register, unregister
from .rmsprop import RMSProp
from .sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "Momentum", "Optimizer", "RMSProp", "available", "get",
           "lookup", "register", "schedules", "trainable_layers", "unregister"]
