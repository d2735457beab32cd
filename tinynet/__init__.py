"""tinynet: a small neural-network framework on numpy, written to be read.

Dense layers do their own backprop, losses are batch means, optimizers are small classes
named after their formulas, and a Trainer runs the mini-batch loop.
"""

from . import datasets, optimizers, surfaces
from .batchnorm import BatchNorm
from .callbacks import Callback, Checkpoint, EarlyStopping, LearningRateScheduler, OptimizerStats
from .dropout import Dropout
from .gradcheck import gradcheck, gradcheck_layer
from .guard import DivergenceError
from .history import History
from .layers import Dense, Identity, Layer, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .losses import MSE, BinaryCrossEntropy, CrossEntropy, Loss, SoftmaxCrossEntropy
from .model import Sequential, mlp
from .teaching import TeachingWarning
from .trace import Trace, trace
from .trainer import Trainer

__version__ = "0.1.0"

__all__ = [
    "MSE", "BatchNorm", "BinaryCrossEntropy", "Callback", "Checkpoint", "CrossEntropy", "Dense",
    "DivergenceError", "Dropout", "EarlyStopping", "History", "Identity", "Layer",
    "LearningRateScheduler", "LeakyReLU", "Loss", "OptimizerStats", "ReLU", "Sequential",
    "Sigmoid", "Softmax", "SoftmaxCrossEntropy", "Tanh", "TeachingWarning", "Trace", "Trainer",
    "datasets", "gradcheck", "gradcheck_layer", "mlp", "optimizers", "surfaces", "trace",
]
