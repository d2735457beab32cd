"""tinynet: a small neural-network framework on numpy, written to be read.

Dense layers do their own backprop, losses are batch means, optimizers are small classes
named after their formulas, and a Trainer runs the mini-batch loop.
"""

from . import datasets, optimizers, surfaces
from .callbacks import Callback, Checkpoint, EarlyStopping, LearningRateScheduler, OptimizerStats
from .gradcheck import gradcheck
from .guard import DivergenceError
from .history import History
from .layers import Dense, Identity, Layer, LeakyReLU, ReLU, Sigmoid, Tanh
from .losses import MSE, BinaryCrossEntropy, Loss, SoftmaxCrossEntropy
from .model import Sequential, mlp
from .teaching import TeachingWarning
from .trainer import Trainer

__version__ = "0.1.0"

__all__ = [
    "MSE", "BinaryCrossEntropy", "Callback", "Checkpoint", "Dense", "DivergenceError",
    "EarlyStopping", "History", "Identity", "Layer", "LearningRateScheduler", "LeakyReLU", "Loss",
    "OptimizerStats", "ReLU", "Sequential", "Sigmoid", "SoftmaxCrossEntropy", "Tanh",
    "TeachingWarning", "Trainer", "datasets", "gradcheck", "mlp", "optimizers", "surfaces",
]
