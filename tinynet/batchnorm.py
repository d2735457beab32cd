"""BatchNorm: normalise each feature over the batch, then scale and shift (Ioffe & Szegedy).

Training mode, for a batch X of shape (B, n) and each feature j::

    mu      = mean of X over the batch                 (B rows)
    var     = mean of (X - mu)² over the batch         (biased: divided by B)
    xhat    = (X - mu) / sqrt(var + eps)
    Y       = gamma ⊙ xhat + beta                      gamma, beta: (n,), trained

and the running statistics, PyTorch's convention (``BatchNorm1d``)::

    running_mean = (1 - momentum) running_mean + momentum mu
    running_var  = (1 - momentum) running_var  + momentum var * B / (B - 1)   (unbiased)

Evaluation mode uses ``running_mean`` and ``running_var`` in place of mu and var.

Backward, the compact form (cs231n's lesson: write xhat's dependence on mu and var out
once, and the three terms collapse)::

    dbeta  = sum of dY over the batch
    dgamma = sum of dY ⊙ xhat over the batch
    dX     = gamma / sqrt(var + eps) ⊙ (dY - dbeta / B - xhat ⊙ dgamma / B)

In evaluation mode mu and var are constants: ``dX = gamma / sqrt(running_var + eps) ⊙ dY``.
"""

from __future__ import annotations

import numpy as np

from .layers import Layer
from .validation import check_dtype, check_number


class BatchNorm(Layer):
    """Batch normalisation of ``n_features`` features, with trained scale and shift.

    Parameters
    ----------
    n_features : int
        Width of the input (and output).
    momentum : float
        Weight of the current batch in the running statistics (PyTorch's convention:
        0.1; cs231n writes the same update with 0.9 on the old value).
    eps : float
        Added to the variance under the square root (> 0).
    dtype : float32 or float64

    Attributes
    ----------
    gamma, beta : ndarray, shape (n_features,)
        Scale (ones at first) and shift (zeros); ``dgamma``, ``dbeta`` after backward.
    running_mean, running_var : ndarray, shape (n_features,)
        The statistics evaluation mode uses (zeros and ones at first); saved with the
        model and in checkpoints.
    """

    params = ("gamma", "beta")
    buffers = ("running_mean", "running_var")

    def __init__(self, n_features: int, momentum: float = 0.1, eps: float = 1e-5,
                 dtype=np.float64):
        self.n_features = check_number("n_features", n_features, low=1, integer=True)
        self.momentum = check_number("momentum", momentum, low=0.0, high=1.0)
        self.eps = check_number("eps", eps, low=0.0, low_open=True)
        self.dtype = check_dtype(dtype)
        self.gamma = np.ones(n_features, dtype=self.dtype)
        self.beta = np.zeros(n_features, dtype=self.dtype)
        self.running_mean = np.zeros(n_features, dtype=self.dtype)
        self.running_var = np.ones(n_features, dtype=self.dtype)
        self.dgamma: np.ndarray | None = None
        self.dbeta: np.ndarray | None = None
        self._xhat = self._inv_std = None

    @property
    def n_in(self) -> int:
        return self.n_features

    @property
    def n_out(self) -> int:
        return self.n_features

    def forward(self, X: np.ndarray) -> np.ndarray:
        X = self._input(X)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"{self!r} expects input of shape (batch, {self.n_features}), "
                             f"got {X.shape}")
        X = X.astype(self.dtype, copy=False)  # the layer's dtype wins, as in Dense
        if self.training:
            B = len(X)
            if B < 2:
                raise ValueError(f"{self!r} needs at least 2 samples per batch in training "
                                 f"mode (the variance of 1 sample is 0); got a batch of {B}: "
                                 f"use another batch size, or Trainer(drop_last=True)")
            mu = X.mean(axis=0)
            var = X.var(axis=0)  # biased: divided by B
            m = self.momentum
            self.running_mean *= 1 - m
            self.running_mean += m * mu
            self.running_var *= 1 - m
            self.running_var += m * var * (B / (B - 1))  # unbiased, as PyTorch keeps it
        else:
            mu, var = self.running_mean, self.running_var
        self._inv_std = 1.0 / np.sqrt(var + self.eps)
        self._xhat = (X - mu) * self._inv_std
        self._batch_stats = self.training  # did mu and var depend on this batch?
        return self.gamma * self._xhat + self.beta

    def backward(self, dY: np.ndarray) -> np.ndarray:
        dY, xhat = self._gradient(dY, self._xhat), self._xhat
        if self.dgamma is None:
            self.dgamma, self.dbeta = np.empty_like(self.gamma), np.empty_like(self.beta)
        # written in place, so the optimizer's one buffer keeps these very arrays
        np.sum(dY, axis=0, out=self.dbeta)                   # dbeta = sum of dY
        np.sum(dY * xhat, axis=0, out=self.dgamma)           # dgamma = sum of dY ⊙ xhat
        scale = self.gamma * self._inv_std
        if not self._batch_stats:  # evaluation mode: mu and var are constants
            return scale * dY
        B = len(dY)
        return scale * (dY - self.dbeta / B - xhat * (self.dgamma / B))

    def config(self) -> dict:
        return {"n_features": self.n_features, "momentum": self.momentum, "eps": self.eps}
