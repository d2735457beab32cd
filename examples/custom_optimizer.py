"""Write your own optimizer: AdaMax in about 25 lines, checked, registered, trained.

    python examples/custom_optimizer.py
    tinynet train --import examples/custom_optimizer.py --optimizer adamax --lr 0.002
"""

import numpy as np

import tinynet as tn
from tinynet.optimizers import Optimizer, register


@register("adamax")
class AdaMax(Optimizer):
    """AdaMax: Adam with the infinity norm in place of the second moment.

    For every layer l (W shown; b likewise)::

        v_dW[l] = beta1 * v_dW[l] + (1 - beta1) * dW
        u_dW[l] = max(beta2 * u_dW[l], |dW|)
        W[l]   -= lr / (1 - beta1^t) * v_dW[l] / (u_dW[l] + eps)
    """

    state_symbols = ("v", "u")  # the base class creates v_dW, v_db, u_dW, u_db lazily
    elementwise = True  # every number on its own: tinynet may update all arrays in one call

    def __init__(self, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        super().__init__(lr=lr, weight_decay=weight_decay)  # checks lr > 0
        self.beta1 = self.decay_rate("beta1", beta1)
        self.beta2 = self.decay_rate("beta2", beta2)
        self.eps = self.non_negative("eps", eps)

    def update(self, W, dW, v, u):  # one parameter (W or b) of one layer, changed in place
        beta1, beta2, eps, lr, t = self.beta1, self.beta2, self.eps, self.lr, self.t
        v[...] = beta1 * v + (1 - beta1) * dW
        u[...] = np.maximum(beta2 * u, np.abs(dW))
        W -= lr / (1 - beta1**t) * v / (u + eps)


def main():
    from tinynet.testing import check_optimizer

    passed = check_optimizer(AdaMax)
    print(f"AdaMax passed {len(passed)} checks: {', '.join(passed)}")

    X_train, X_test, y_train, y_test = tn.datasets.load("digits", seed=0)
    model = tn.mlp([64, 128, 64, 10], seed=0)
    trainer = tn.Trainer(model, tn.SoftmaxCrossEntropy(), "adamax", batch_size=32, seed=0,
                         progress=False)
    trainer.fit(X_train, y_train, epochs=15)
    print(f"digits with AdaMax, 15 epochs: test accuracy "
          f"{trainer.evaluate(X_test, y_test)['accuracy']:.4f}")
    print("layer 1 state:", {k: getattr(trainer.optimizer, k)[1].shape
                             for k in trainer.optimizer.state_keys()})


if __name__ == "__main__":
    main()
