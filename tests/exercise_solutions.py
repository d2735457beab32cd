"""Solutions of the exercises as a learner writes them: plain numpy, no tinynet.

The tests grade them (they pass), check them as a file with ``tinynet exercises check``,
and inject them into notebook 06, which is committed unsolved.
"""

import numpy as np


def dense_forward(X, W, b):
    return X @ W + b


def dense_backward(X, W, dZ):
    dX = dZ @ W.T
    dW = X.T @ dZ
    db = dZ.sum(axis=0)
    return dX, dW, db


def relu_backward(Z, dA):
    return dA * (Z > 0)


def softmax_cross_entropy(Z, y):
    B = len(y)
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(P[np.arange(B), y]))
    Y = np.eye(Z.shape[1])[y]
    return loss, (P - Y) / B


def sgd(W, dW, lr):
    W -= lr * dW


def momentum(W, dW, v, lr, beta):
    v[...] = beta * v + (1 - beta) * dW
    W -= lr * v


def rmsprop(W, dW, s, lr, rho, eps):
    s[...] = rho * s + (1 - rho) * dW * dW
    W -= lr * dW / (np.sqrt(s) + eps)


def adam(W, dW, v, s, t, lr, beta1, beta2, eps):
    v[...] = beta1 * v + (1 - beta1) * dW
    s[...] = beta2 * s + (1 - beta2) * dW * dW
    v_hat = v / (1 - beta1**t)
    s_hat = s / (1 - beta2**t)
    W -= lr * v_hat / (np.sqrt(s_hat) + eps)
