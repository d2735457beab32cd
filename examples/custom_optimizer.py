"""Write your own optimizer: AdaBelief in about 25 lines, checked, registered, trained.

    python examples/custom_optimizer.py
    tinynet train --import examples/custom_optimizer.py --optimizer adabelief --lr 0.001
"""

import numpy as np

import tinynet as tn
from tinynet.optimizers import Optimizer, divide, register


@register("adabelief")
class AdaBelief(Optimizer):
    """AdaBelief (Zhuang et al. 2020): Adam whose second moment is how far the gradient
    strays from its running mean, the "belief", rather than its raw square.

    For every layer l (W shown; b likewise), at step t::

        v_dW[l] = beta1 * v_dW[l] + (1 - beta1) * dW
        s_dW[l] = beta2 * s_dW[l] + (1 - beta2) * (dW - v_dW[l])² + eps
        W[l]   -= lr * v_hat / (sqrt(s_hat) + eps)     v_hat, s_hat: v, s / (1 - beta^t)
    """

    state_symbols = ("v", "s")  # the base class creates v_dW, v_db, s_dW, s_db lazily
    elementwise = True  # every number on its own: tinynet may update all arrays in one call

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        super().__init__(lr=lr, weight_decay=weight_decay)  # checks lr > 0
        self.beta1 = self.decay_rate("beta1", beta1)
        self.beta2 = self.decay_rate("beta2", beta2)
        self.eps = self.non_negative("eps", eps)

    def update(self, W, dW, v, s):  # one parameter (W or b) of one layer, changed in place
        beta1, beta2, eps, lr, t = self.beta1, self.beta2, self.eps, self.lr, self.t
        v[...] = beta1 * v + (1 - beta1) * dW
        s[...] = beta2 * s + (1 - beta2) * (dW - v) ** 2 + eps
        v_hat, s_hat = v / (1 - beta1**t), s / (1 - beta2**t)
        W -= lr * divide(v_hat, np.sqrt(s_hat) + eps)  # where 0 / 0 (eps = 0): 0, not NaN


def main():
    from tinynet.testing import check_optimizer

    passed = check_optimizer(AdaBelief)
    print(f"AdaBelief passed {len(passed)} checks: {', '.join(passed)}")

    X_train, X_test, y_train, y_test = tn.datasets.load("digits", seed=0)
    model = tn.mlp([64, 128, 64, 10], seed=0)
    trainer = tn.Trainer(model, tn.SoftmaxCrossEntropy(), "adabelief", batch_size=32, seed=0,
                         progress=False)
    trainer.fit(X_train, y_train, epochs=15)
    print(f"digits with AdaBelief, 15 epochs: test accuracy "
          f"{trainer.evaluate(X_test, y_test)['accuracy']:.4f}")
    print("layer 1 state:", {k: getattr(trainer.optimizer, k)[1].shape
                             for k in trainer.optimizer.state_keys()})


if __name__ == "__main__":
    main()
