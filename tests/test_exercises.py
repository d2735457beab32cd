"""The graded exercises: correct solutions in any style pass, in float64 and float32; each
typical mistake, written as a learner writes it, fails and is named; the grader never
raises; stubs say "not implemented yet"."""

import exercise_solutions as solutions
import numpy as np
import pytest

import tinynet as tn
from tinynet import exercises

NAMES = ["dense_forward", "dense_backward", "relu_backward", "softmax_cross_entropy",
         "sgd", "momentum", "rmsprop", "adam"]


def test_the_exercises_are_the_issues_eight_in_order():
    assert exercises.available() == NAMES
    assert [exercises.EXERCISES[n].signature for n in NAMES] == [
        "dense_forward(X, W, b) -> Z", "dense_backward(X, W, dZ) -> (dX, dW, db)",
        "relu_backward(Z, dA) -> dZ", "softmax_cross_entropy(Z, y) -> (loss, dZ)",
        "sgd(W, dW, lr) -> None", "momentum(W, dW, v, lr, beta) -> None",
        "rmsprop(W, dW, s, lr, rho, eps) -> None",
        "adam(W, dW, v, s, t, lr, beta1, beta2, eps) -> None"]


@pytest.mark.parametrize("name", NAMES)
def test_a_learners_plain_numpy_solution_passes(name):
    grade = exercises.check(name, getattr(solutions, name))
    assert grade.passed is True and grade.exercise == name, grade.message
    assert str(grade) == grade.message and grade.message.startswith(f"{name}: correct")


# ----- other correct styles ----------------------------------------------------------------

def forward_einsum(X, W, b):
    return np.einsum("bi,io->bo", X, W) + b


def backward_einsum(X, W, dZ):
    return (np.einsum("bo,io->bi", dZ, W), np.einsum("bi,bo->io", X, dZ),
            np.einsum("bo->o", dZ))


def backward_loops(X, W, dZ):
    dW = sum(np.outer(x, dz) for x, dz in zip(X, dZ))
    db = np.zeros(W.shape[1], dtype=dZ.dtype)
    for row in dZ:
        db += row
    return dZ.dot(W.T), dW, db


def relu_where(Z, dA):
    return np.where(Z > 0, dA, 0.0)


def relu_copy_and_mask(Z, dA):
    dZ = dA.copy()
    dZ[Z <= 0] = 0
    return dZ


def cross_entropy_logsumexp(Z, y):
    B = len(y)
    top = Z.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(Z - top).sum(axis=1))
    loss = np.mean(lse - Z[np.arange(B), y])
    dZ = np.exp(Z - lse[:, None])
    dZ[np.arange(B), y] -= 1
    return loss, dZ / B


def cross_entropy_log_softmax(Z, y):
    shifted = Z - np.max(Z, axis=1, keepdims=True)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    Y = np.zeros_like(Z)
    Y[np.arange(len(y)), y] = 1
    return -np.sum(Y * log_p) / len(y), (np.exp(log_p) - Y) / len(y)


def sgd_out(W, dW, lr):
    np.subtract(W, lr * dW, out=W)


def momentum_in_place(W, dW, v, lr, beta):
    v *= beta
    v += (1 - beta) * dW
    W -= lr * v


def rmsprop_in_place(W, dW, s, lr, rho, eps):
    s *= rho
    s += (1 - rho) * np.square(dW)
    W -= lr * dW / (np.sqrt(s) + eps)


def rmsprop_slices(W, dW, s, lr, rho, eps):
    s[:] = rho * s + (1 - rho) * dW**2
    W[:] = W - lr * dW / (s**0.5 + eps)


def adam_in_place(W, dW, v, s, t, lr, beta1, beta2, eps):
    v *= beta1
    v += (1 - beta1) * dW
    s *= beta2
    s += (1 - beta2) * dW * dW
    W -= lr * (v / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + eps)


@pytest.mark.parametrize("name, fn", [
    ("dense_forward", forward_einsum), ("dense_backward", backward_einsum),
    ("dense_backward", backward_loops), ("relu_backward", relu_where),
    ("relu_backward", relu_copy_and_mask), ("softmax_cross_entropy", cross_entropy_logsumexp),
    ("softmax_cross_entropy", cross_entropy_log_softmax), ("sgd", sgd_out),
    ("momentum", momentum_in_place), ("rmsprop", rmsprop_in_place),
    ("rmsprop", rmsprop_slices), ("adam", adam_in_place)], ids=lambda x: getattr(x, "__name__", x))
def test_any_correct_formulation_passes(name, fn):
    grade = exercises.check(name, fn)
    assert grade.passed, grade.message


# ----- typical mistakes, as a learner writes them ----------------------------------------

def softmax(Z, axis=1, shift=True):
    E = np.exp(Z - Z.max(axis=1, keepdims=True)) if shift else np.exp(Z)
    return E / E.sum(axis=axis, keepdims=True)


def one_hot(Z, y):
    return np.eye(Z.shape[1])[y]


def ce(Z, y, loss=None, dZ=None, **kw):
    """A softmax cross-entropy with one thing changed (``loss(P, y)``, ``dZ(P, Y, B)``)."""
    P, B = softmax(Z, **kw), len(y)
    value = loss(P, y) if loss else -np.mean(np.log(P[np.arange(B), y]))
    return value, dZ(P, one_hot(Z, y), B) if dZ else (P - one_hot(Z, y)) / B


def momentum_old_v(W, dW, v, lr, beta):
    W -= lr * v
    v[...] = beta * v + (1 - beta) * dW


def momentum_rebound_v(W, dW, v, lr, beta):
    v = beta * v + (1 - beta) * dW
    W -= lr * v


def rmsprop_old_s(W, dW, s, lr, rho, eps):
    W -= lr * dW / (np.sqrt(s) + eps)
    s[...] = rho * s + (1 - rho) * dW * dW


def rmsprop_adagrad(W, dW, s, lr, rho, eps):
    s += dW**2
    W -= lr * dW / (np.sqrt(s) + eps)


def rmsprop_rebound_s(W, dW, s, lr, rho, eps):
    s = rho * s + (1 - rho) * dW * dW
    W -= lr * dW / (np.sqrt(s) + eps)


def rmsprop_rebound_W(W, dW, s, lr, rho, eps):
    s[...] = rho * s + (1 - rho) * dW * dW
    W = W - lr * dW / (np.sqrt(s) + eps)
    return W


def rmsprop_with(W, dW, s, lr, rho, eps, new_s=None, denominator=None, step=None):
    """rmsprop with one thing changed."""
    s[...] = new_s(s, dW, rho) if new_s else rho * s + (1 - rho) * dW * dW
    den = denominator(s, eps) if denominator else np.sqrt(s) + eps
    W -= step(dW, den) * lr if step else lr * dW / den


def adam_with(W, dW, v, s, t, lr, beta1, beta2, eps, correct=None, den=None, swap=False):
    """adam with one thing changed: ``correct(v, s, t, beta1, beta2)`` gives v̂, ŝ."""
    if swap:
        beta1, beta2 = beta2, beta1
    v[...] = beta1 * v + (1 - beta1) * dW
    s[...] = beta2 * s + (1 - beta2) * dW * dW
    v_hat, s_hat = (correct(v, s, t, beta1, beta2) if correct
                    else (v / (1 - beta1**t), s / (1 - beta2**t)))
    W -= lr * v_hat / (den(s_hat, eps) if den else np.sqrt(s_hat) + eps)


def adam_stored(W, dW, v, s, t, lr, beta1, beta2, eps):
    v[...] = beta1 * v + (1 - beta1) * dW
    v /= 1 - beta1**t
    s[...] = beta2 * s + (1 - beta2) * dW * dW
    s /= 1 - beta2**t
    W -= lr * v / (np.sqrt(s) + eps)


def adam_old(W, dW, v, s, t, lr, beta1, beta2, eps):
    W -= lr * (v / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + eps)
    v[...] = beta1 * v + (1 - beta1) * dW
    s[...] = beta2 * s + (1 - beta2) * dW * dW


def adam_rebound(which):
    def wrong(W, dW, v, s, t, lr, beta1, beta2, eps):
        new_v, new_s = beta1 * v + (1 - beta1) * dW, beta2 * s + (1 - beta2) * dW * dW
        if which != "v":
            v[...] = new_v
        if which != "s":
            s[...] = new_s
        step = lr * (new_v / (1 - beta1**t)) / (np.sqrt(new_s / (1 - beta2**t)) + eps)
        if which == "W":
            W = W - step  # noqa: F841
        else:
            W -= step
    return wrong


def sgd_ascent(W, dW, lr):
    W += lr * dW


def sgd_without_lr(W, dW, lr):
    W -= dW


def relu_in_place(Z, dA):
    dA[Z <= 0] = 0
    return dA


B = 5
MISTAKES = [
    ("dense_forward", lambda X, W, b: X @ W, "the bias b is missing"),
    ("dense_forward", lambda X, W, b: np.maximum(X @ W + b, 0), "ReLU was applied"),
    ("dense_forward", lambda X, W, b: X @ W - b, "b was subtracted"),
    ("dense_backward", lambda X, W, dZ: (dZ @ W.T, X.T @ dZ / len(X), dZ.sum(0)),
     "dW has an extra 1/B: dZ already includes it"),
    ("dense_backward", lambda X, W, dZ: (dZ @ W.T, X.T @ dZ, np.mean(dZ, axis=0)),
     "db has an extra 1/B"),
    ("dense_backward", lambda X, W, dZ: (dZ @ W.T / len(X), X.T @ dZ, dZ.sum(0)),
     "dX has an extra 1/B"),
    ("dense_backward", lambda X, W, dZ: (dZ @ W.T / B, X.T @ dZ / B, dZ.mean(0)),
     "dX, dW and db each have an extra 1/B"),
    ("dense_backward", lambda X, W, dZ: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=1)),
     "db summed over axis 1 (features) instead of 0 (samples)"),
    ("dense_backward", lambda X, W, dZ: (dZ @ W.T, X.T @ dZ, np.sum(dZ)),
     "db summed over every entry"),
    ("dense_backward", lambda X, W, dZ: (dZ @ W.T, X.T @ dZ, dZ.sum(0, keepdims=True)),
     "db has shape (1, 4): sum over axis 0 without keepdims"),
    ("dense_backward", lambda X, W, dZ: (dZ @ W.T, dZ.T @ X, dZ.sum(0)),
     "dW is transposed"),
    ("dense_backward", lambda X, W, dZ: (X.T @ dZ, dZ.sum(0), dZ @ W.T),
     "the results are in another order: return dX, dW, db"),
    ("relu_backward", lambda Z, dA: dA * (Z >= 0), "relu'(0) must be 0: use Z > 0"),
    ("relu_backward", lambda Z, dA: np.where(Z < 0, 0, dA), "relu'(0) must be 0"),
    ("relu_backward", lambda Z, dA: dA * (Z <= 0), "the mask is inverted"),
    ("relu_backward", lambda Z, dA: np.maximum(dA, 0), "the mask comes from Z"),
    ("relu_backward", lambda Z, dA: dA * (dA > 0), "the mask comes from Z"),
    ("relu_backward", lambda Z, dA: dA * Z, "multiplied by Z"),
    ("relu_backward", lambda Z, dA: (Z > 0) * 1.0, "returned the mask Z > 0 itself"),
    ("relu_backward", relu_in_place, "dA was changed in place"),
    ("softmax_cross_entropy", lambda Z, y: ce(Z, y, shift=False),
     "softmax overflowed for large logits: subtract each row's max"),
    ("softmax_cross_entropy", lambda Z, y: _global_max(Z, y),
     "the max of the whole batch was subtracted"),
    ("softmax_cross_entropy", lambda Z, y: ce(Z, y, axis=0),
     "softmax normalised over the batch (axis 0)"),
    ("softmax_cross_entropy",
     lambda Z, y: ce(Z, y, loss=lambda P, y: -np.sum(np.log(P[np.arange(B), y]))),
     "the loss is the sum over the batch, not the mean"),
    ("softmax_cross_entropy",
     lambda Z, y: ce(Z, y, loss=lambda P, y: np.mean(np.log(P[np.arange(B), y]))),
     "the loss is negative"),
    ("softmax_cross_entropy", lambda Z, y: ce(Z, y, loss=lambda P, y: -np.mean(np.log(P))),
     "the loss averaged log P over every class"),
    ("softmax_cross_entropy",
     lambda Z, y: ce(Z, y, loss=lambda P, y: -np.mean(one_hot(Z, y) * np.log(P))),
     "the loss is divided by B·C"),
    ("softmax_cross_entropy", lambda Z, y: ce(Z, y, loss=lambda P, y: -np.mean(np.log(P[:, y]))),
     "P[:, y] picks a B x B block"),
    ("softmax_cross_entropy", lambda Z, y: ce(Z, y, dZ=lambda P, Y, B: (Y - P) / B),
     "dZ has the wrong sign"),
    ("softmax_cross_entropy", lambda Z, y: ce(Z, y, dZ=lambda P, Y, B: P / B),
     "dZ = P / B: subtract the one-hot labels Y"),
    ("softmax_cross_entropy", lambda Z, y: ce(Z, y, dZ=lambda P, Y, B: P - Y),
     "dZ is missing 1/B"),
    ("softmax_cross_entropy", lambda Z, y: ce(Z, y, dZ=lambda P, Y, B: P - Y / B),
     "the brackets are missing, (P - Y) / B"),
    ("sgd", sgd_ascent, "W moved up the gradient"),
    ("sgd", sgd_without_lr, "the step forgot lr"),
    ("sgd", lambda W, dW, lr: W - lr * dW, "W was rebound, not updated in place"),
    ("momentum", lambda W, dW, v, lr, beta: _momentum(W, dW, v, lr, beta, heavy=True),
     "heavy-ball momentum: here v is an average, v = beta v + (1 - beta) dW"),
    ("momentum", lambda W, dW, v, lr, beta: _momentum(W, dW, v, lr, 1 - beta),
     "beta and 1 - beta are swapped"),
    ("momentum", momentum_old_v, "W was stepped with the old v: update v first"),
    ("momentum", lambda W, dW, v, lr, beta: _momentum(W, dW, v, lr, beta, step_dW=True),
     "W was stepped with dW, not with v"),
    ("momentum", momentum_rebound_v, "v was rebound, not updated in place: write v[...] = ..."),
    ("rmsprop", lambda *a: rmsprop_with(*a, new_s=lambda s, g, rho: (1 - rho) * s + rho * g * g),
     "rho and 1 - rho are swapped"),
    ("rmsprop", lambda *a: rmsprop_with(*a, new_s=lambda s, g, rho: rho * s + (1 - rho) * g),
     "s averages dW, not dW²"),
    ("rmsprop", rmsprop_adagrad, "s is a running sum (AdaGrad)"),
    ("rmsprop", rmsprop_old_s, "W was stepped with the old s: update s first"),
    ("rmsprop", lambda *a: rmsprop_with(*a, denominator=lambda s, eps: s + eps),
     "no square root"),
    ("rmsprop", lambda *a: rmsprop_with(*a, denominator=lambda s, eps: np.sqrt(s + eps)),
     "eps is inside the square root"),
    ("rmsprop", lambda *a: rmsprop_with(*a, denominator=lambda s, eps: np.sqrt(s)),
     "eps is missing"),
    ("rmsprop", lambda *a: rmsprop_with(*a, step=lambda g, den: g * den),
     "multiplied by sqrt(s) + eps: divide by it"),
    ("rmsprop", rmsprop_rebound_s, "s was rebound, not updated in place: write s[...] = ..."),
    ("rmsprop", rmsprop_rebound_W, "W was rebound, not updated in place: write W -= ..."),
    ("adam", lambda *a: adam_with(*a, correct=lambda v, s, t, b1, b2: (v, s)),
     "no bias correction"),
    ("adam", lambda *a: adam_with(*a, correct=lambda v, s, t, b1, b2: (v / (1 - b1**t), s)),
     "ŝ is not bias-corrected"),
    ("adam", lambda *a: adam_with(*a, correct=lambda v, s, t, b1, b2: (v, s / (1 - b2**t))),
     "v̂ is not bias-corrected"),
    ("adam", lambda *a: adam_with(
        *a, correct=lambda v, s, t, b1, b2: (v / (1 - b1**t), s / (1 - b1**t))),
     "ŝ was corrected with beta1"),
    ("adam", lambda *a: adam_with(
        *a, correct=lambda v, s, t, b1, b2: (v / (1 - b1**(t + 1)), s / (1 - b2**(t + 1)))),
     "bias correction off by one: t starts at 1, and is not increased again (t + 1)"),
    ("adam", lambda *a: adam_with(
        *a, correct=lambda v, s, t, b1, b2: (v / (1 - b1**(t - 1)), s / (1 - b2**(t - 1)))),
     "bias correction off by one: t starts at 1 (t - 1 makes the first step divide"),
    ("adam", adam_stored, "were stored in v and s"),
    ("adam", lambda *a: adam_with(*a, swap=True), "beta1 and beta2 are swapped"),
    ("adam", adam_old, "W was stepped with the old v and s: update them first"),
    ("adam", lambda *a: adam_with(*a, den=lambda s_hat, eps: np.sqrt(s_hat + eps)),
     "eps is inside the square root"),
    ("adam", lambda *a: adam_with(*a, den=lambda s_hat, eps: np.sqrt(s_hat)), "eps is missing"),
    ("adam", adam_rebound("v"), "v was rebound, not updated in place"),
    ("adam", adam_rebound("s"), "s was rebound, not updated in place"),
    ("adam", adam_rebound("W"), "W was rebound, not updated in place"),
]


def _global_max(Z, y):
    E = np.exp(Z - Z.max())
    P = E / E.sum(axis=1, keepdims=True)
    return -np.mean(np.log(P[np.arange(len(y)), y])), (P - one_hot(Z, y)) / len(y)


def _momentum(W, dW, v, lr, beta, heavy=False, step_dW=False):
    v[...] = beta * v + (1.0 if heavy else 1 - beta) * dW
    W -= lr * (dW if step_dW else v)


def test_at_least_thirty_typical_mistakes_are_tried():
    assert len(MISTAKES) >= 30 and {name for name, _, _ in MISTAKES} == set(NAMES)


# What the grader says for each catalogued mistake, word for word.
CATALOGUE = {
    "dense_forward": [
        'the bias b is missing: Z = X W + b',
        'b was subtracted: Z = X W + b',
        'ReLU was applied: dense_forward returns Z = X W + b, before the activation',
    ],
    "dense_backward": [
        'dW has an extra 1/B: dZ already includes it',
        ('db has an extra 1/B (a mean over the batch): dZ already includes 1/B, so db is the '
         'sum'),
        'dX has an extra 1/B: dZ already includes it',
        'dX, dW and db each have an extra 1/B: dZ already includes it',
        'db summed over axis 1 (features) instead of 0 (samples)',
        'db summed over every entry: sum over axis 0 (the samples) only',
        "db has shape (1, 4): sum over axis 0 without keepdims, b's shape",
        "dW is transposed: dW = Xᵀ dZ has W's shape (n_in, n_out)",
        'the results are in another order: return dX, dW, db',
    ],
    "relu_backward": [
        "relu'(0) must be 0: use Z > 0",
        'the mask is inverted: dA passes where Z > 0',
        "the mask comes from Z (the layer's input), not from dA",
        "multiplied by Z: relu'(Z) is 1 where Z > 0 and 0 elsewhere, not Z",
        'returned the mask Z > 0 itself: multiply it by dA',
        ("dA was changed in place: the caller's array is overwritten; compute a new dZ = dA * "
         "(Z > 0)"),
    ],
    "softmax_cross_entropy": [
        "softmax overflowed for large logits: subtract each row's max before exp",
        ("the max of the whole batch was subtracted: subtract each row's max (axis=1, "
         "keepdims=True)"),
        'softmax normalised over the batch (axis 0) instead of over the classes (axis 1)',
        'the loss is the sum over the batch, not the mean',
        'the loss is negative: it is -log P of the true class',
        ("the loss averaged log P over every class: take each sample's true class only, "
         "P[np.arange(B), y]"),
        ('the loss is divided by B·C (a mean over every entry of Y ⊙ log P): sum over the '
         'classes, then average over the batch'),
        'P[:, y] picks a B x B block: use P[np.arange(B), y]',
        'dZ has the wrong sign: P - Y, not Y - P',
        'dZ = P / B: subtract the one-hot labels Y',
        'dZ is missing 1/B: the loss is the batch mean',
        'dZ = P - Y / B: the brackets are missing, (P - Y) / B',
    ],
    "sgd": [
        'W moved up the gradient: W -= lr dW',
        'the step forgot lr: W -= lr dW',
        'W was rebound, not updated in place: write W -= ...',
    ],
    "momentum": [
        'heavy-ball momentum: here v is an average, v = beta v + (1 - beta) dW',
        'beta and 1 - beta are swapped: v = beta v + (1 - beta) dW',
        'W was stepped with the old v: update v first',
        'W was stepped with dW, not with v',
        'v was rebound, not updated in place: write v[...] = ...',
        'W was rebound, not updated in place: write W -= ...',
    ],
    "rmsprop": [
        'rho and 1 - rho are swapped: s = rho s + (1 - rho) dW²',
        's averages dW, not dW²: s = rho s + (1 - rho) dW ⊙ dW',
        's is a running sum (AdaGrad): RMSProp decays it, s = rho s + (1 - rho) dW²',
        'W was stepped with the old s: update s first',
        'no square root: divide by sqrt(s) + eps',
        'eps is inside the square root: sqrt(s) + eps',
        'eps is missing: where s is 0 (no gradient yet), dW / sqrt(s) is 0/0',
        'multiplied by sqrt(s) + eps: divide by it',
        's was rebound, not updated in place: write s[...] = ...',
        'W was rebound, not updated in place: write W -= ...',
    ],
    "adam": [
        'no bias correction: v̂ = v / (1 - beta1^t), ŝ = s / (1 - beta2^t)',
        'ŝ is not bias-corrected: ŝ = s / (1 - beta2^t)',
        'v̂ is not bias-corrected: v̂ = v / (1 - beta1^t)',
        'ŝ was corrected with beta1: ŝ = s / (1 - beta2^t)',
        'bias correction off by one: t starts at 1, and is not increased again (t + 1)',
        ('bias correction off by one: t starts at 1 (t - 1 makes the first step divide by 1 - '
         'beta1^0 = 0)'),
        ('the bias-corrected v̂ and ŝ were stored in v and s: keep v and s as the running '
         'averages and correct copies'),
        'beta1 and beta2 are swapped: v decays with beta1, s with beta2',
        'W was stepped with the old v and s: update them first',
        'eps is inside the square root: sqrt(ŝ) + eps',
        'eps is missing: where s is 0 (no gradient yet), v̂ / sqrt(ŝ) is 0/0',
        'v was rebound, not updated in place: write v[...] = ...',
        's was rebound, not updated in place: write s[...] = ...',
        'W was rebound, not updated in place: write W -= ...',
    ],
}


@pytest.mark.parametrize("name, fn, named", MISTAKES, ids=[f"{n}-{i}" for i, (n, _, _) in
                                                           enumerate(MISTAKES)])
def test_a_typical_mistake_fails_and_is_named(name, fn, named):
    grade = exercises.check(name, fn)
    assert grade.passed is False and grade.exercise == name
    said = grade.message.removeprefix(f"{name}: ")
    assert named in said and said in CATALOGUE[name], grade.message


def test_every_catalogued_mistake_is_told_by_its_own_message():
    assert {n: [m for m, _ in ex.mistakes] for n, ex in exercises.EXERCISES.items()} == CATALOGUE
    for name, ex in exercises.EXERCISES.items():
        for message, wrong in ex.mistakes:
            grade = exercises.check(name, wrong)
            assert not grade.passed and grade.message == f"{name}: {message}"
    assert sum(map(len, CATALOGUE.values())) >= 30


# ----- what the grader says otherwise ------------------------------------------------------

def test_a_wrong_result_outside_the_catalogue_says_where_and_by_how_much():
    grade = exercises.check("dense_forward", lambda X, W, b: X @ W + 2 * b)
    X, W, b = exercises.backprop.DENSE_CASE
    layer = tn.Dense(3, 4)
    layer.W[...], layer.b[...] = W, b
    expected = layer.forward(X)[0, 0]
    assert grade.message == (f"dense_forward: Z (B=5, n_in=3, n_out=4) differs at [0, 0]: "
                             f"expected {expected:.6g}, got {expected + b[0]:.6g}")


def test_an_optimizer_result_outside_the_catalogue_names_the_step():
    def double_step(W, dW, s, lr, rho, eps):
        s[...] = rho * s + (1 - rho) * dW * dW
        W -= 2 * lr * dW / (np.sqrt(s) + eps)

    grade = exercises.check("rmsprop", double_step)
    assert grade.message.startswith("rmsprop: W after step 1 (from zero state) differs at [0, 1]")


def test_a_solution_right_only_in_float64_is_told_so():
    def sgd(W, dW, lr):
        W -= (lr if W.dtype == np.float64 else 2 * lr) * dW

    grade = exercises.check("sgd", sgd)
    assert grade.passed is False and grade.exercise == "sgd"
    assert grade.message.startswith("sgd: right in float64, but in float32 W after step 1")


def test_stubs_fail_with_not_implemented_yet():
    def rmsprop(W, dW, s, lr, rho, eps):
        raise NotImplementedError("your code here")

    grade = exercises.check("rmsprop", rmsprop)
    assert not grade.passed
    assert grade.message == ("rmsprop: not implemented yet (the function still raises "
                             "NotImplementedError)")


def test_a_shape_error_gets_the_shapes_of_the_exercise():
    grade = exercises.check("dense_backward", lambda X, W, dZ: (dZ @ W, X.T @ dZ, dZ.sum(0)))
    assert "raised ValueError: matmul" in grade.message
    assert grade.message.endswith("the shapes here: X (5, 3), W (3, 4), dZ (5, 4); dX = dZ "
                                  "@ W.T has shape (B, n_in) = (5, 3), dW has W's shape "
                                  "(3, 4), db has b's shape (4,)")
    grade = exercises.check("relu_backward", lambda Z, dA: dA[:, 9])
    assert "raised IndexError" in grade.message and "the shapes here: Z (5, 4)" in grade.message


def test_a_wrong_signature_gets_the_right_one():
    grade = exercises.check("rmsprop", lambda W, dW, s, lr, rho: None)
    assert "raised TypeError" in grade.message
    assert grade.message.endswith("the function is rmsprop(W, dW, s, lr, rho, eps) -> None")


def test_an_exception_says_which_line_of_the_learners_code():
    def dense_forward(X, W, b):
        print(X @ W + b)
        raise RuntimeError("not sure yet")

    grade = exercises.check("dense_forward", dense_forward)
    assert grade.message == ('dense_forward: raised RuntimeError: not sure yet (line '
                             f'{dense_forward.__code__.co_firstlineno + 2}: raise '
                             'RuntimeError("not sure yet"))')


def generator(X, W, dZ):
    yield dZ


@pytest.mark.parametrize("name, fn, says", [
    ("dense_forward", "not a function", "expected a function dense_forward(X, W, b) -> Z, got str"),
    ("dense_forward", lambda X, W, b: "Z", "Z (B=5, n_in=3, n_out=4) is 'Z', expected an array "
                                           "of shape (5, 4)"),
    ("dense_forward", lambda X, W, b: None, "is None, expected an array of shape (5, 4)"),
    ("dense_forward", lambda X, W, b: [[1, 2], [3]], "expected an array of shape (5, 4)"),
    ("dense_backward", lambda X, W, dZ: {"dX": 1}, "the result (B=5, n_in=3, n_out=4): one "
                                                   "dict, expected 3 values (dX, dW, db)"),
    ("dense_backward", lambda X, W, dZ: (dZ @ W.T, X.T @ dZ),
     "the result (B=5, n_in=3, n_out=4): 2 values, expected 3 values (dX, dW, db)"),
    ("dense_backward", lambda X, W, dZ: None, "the result (B=5, n_in=3, n_out=4): None"),
    ("dense_backward", generator, "one generator, expected 3 values"),
    ("softmax_cross_entropy", lambda Z, y: (float("nan"), Z), "loss (logits near 0) differs: "),
    ("relu_backward", lambda Z, dA: 1 / 0, "raised ZeroDivisionError: division by zero"),
    ("relu_backward", lambda Z, dA: exit(3), "raised SystemExit: 3"),
    ("sgd", lambda W, dW, lr: W.resize((2, 2)), "raised ValueError"),
    ("adam", lambda *a: np.linalg.inv(np.zeros((2, 2))), "raised LinAlgError: Singular matrix"),
])
def test_the_grader_never_raises(name, fn, says):
    grade = exercises.check(name, fn)
    assert grade.passed is False and grade.exercise == name
    assert says in grade.message, grade.message


def test_an_unknown_exercise_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match="no exercise 'rmsprp': choose from dense_forward, "
                                         "dense_backward, relu_backward"):
        exercises.check("rmsprp", solutions.rmsprop)


def test_the_readme_shows_what_the_grader_says_and_counts():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme[readme.index("## Exercises"):readme.index("## Training workflow")]
    block = section.split("```python\n")[1].split("```")[0]
    shown = block.splitlines()[-1].split("# ", 1)[1]
    scope = {}
    exec(block.replace(f"print(grade)  # {shown}", ""), scope)
    assert str(scope["grade"]) == shown
    catalogue = sum(len(ex.mistakes) for ex in exercises.EXERCISES.values())
    assert f"prints the catalogue's size, {catalogue};" in section
    assert f"the tests write {len(MISTAKES)}\nmistakes" in section


@pytest.mark.parametrize("fn, hint", [
    (lambda W, dW, lr: (_ for _ in ()).throw(ValueError("a bad argument")), None),
    (lambda W, dW, lr: W + "text", None),  # a TypeError, but not about the arguments
    (lambda W, dW, lr: np.zeros(3).reshape(2, 2), "the shapes here"),
    (lambda W, dW, lr: np.sum(W, axis=5), "the shapes here"),
    (lambda W, dW, lr: [][1], "the shapes here"),
    (lambda W, dW, lr: float("x"), None),  # a ValueError about no shape
])
def test_a_hint_is_given_only_where_it_fits(fn, hint):
    grade = exercises.check("sgd", fn)  # (the line quoted is the test's: it has the words)
    assert "raised" in grade.message
    shapes = "; the shapes here: W, dW: arrays of W's shape (3, 4); lr: a number"
    assert grade.message.endswith(shapes) == (hint == "the shapes here")
    assert "; the function is sgd(W, dW, lr) -> None" not in grade.message


def test_a_long_value_is_shortened_and_code_without_source_has_no_line():
    grade = exercises.check("dense_forward", lambda X, W, b: "x" * 100)
    assert grade.message == ("dense_forward: Z (B=5, n_in=3, n_out=4) is '" + "x" * 56
                             + "..., expected an array of shape (5, 4)")
    scope = {}
    exec("def sgd(W, dW, lr):\n    raise RuntimeError('no source')", scope)
    assert exercises.check("sgd", scope["sgd"]).message == "sgd: raised RuntimeError: no source"


# ----- what the learner's function is given, and how results are compared ----------------

def test_the_learner_gets_each_dtype_and_t_from_1_and_the_promised_cases():
    seen = []

    def adam(W, dW, v, s, t, lr, beta1, beta2, eps):
        seen.append((W.dtype, dW.dtype, v.dtype, s.dtype, t, dW[0, 0], v.copy(), s.copy()))
        solutions.adam(W, dW, v, s, t, lr, beta1, beta2, eps)

    assert exercises.check("adam", adam).passed
    assert [str(d[0]) for d in seen] == ["float64"] * 8 + ["float32"] * 8
    assert all(d[0] == d[1] == d[2] == d[3] for d in seen)
    assert [d[4] for d in seen] == [1, 2, 3, 4, 11, 12, 13, 14] * 2  # t = 1 at the first step
    assert all(d[5] == 0 for d in seen)  # a weight that never gets a gradient
    first, mid = seen[0], seen[4]
    assert not first[6].any() and not first[7].any()  # from a zero state ...
    assert (mid[6] < 0).any() and (mid[7] >= 0).all() and (mid[7] > 0).sum() == 11  # ... or not
    dW = [np.abs(d) for d in exercises.steps.GRADS]
    assert all(g[:, 3].max() > 1e4 * g[:, 0].max() for g in dW)  # columns from 1e-3 to 100
    got = []
    exercises.check("relu_backward", lambda Z, dA: got.append((Z.dtype, dA.dtype, Z))
                    or solutions.relu_backward(Z, dA))
    assert [str(z) for z, _, _ in got] == ["float64", "float32"] and got[1][1] == np.float32
    assert (got[0][2] == 0).sum() == 3  # exact zeros in Z


def test_the_grader_is_silent_even_where_numpy_is_told_to_raise():
    import warnings

    old = np.seterr(all="raise")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            grade = exercises.check("softmax_cross_entropy", lambda Z, y: ce(Z, y, shift=False))
            assert grade.message.endswith("subtract each row's max before exp")
            grade = exercises.check("dense_forward", lambda X, W, b: np.full((5, 4), np.inf))
            assert "differs at [0, 0]: expected" in grade.message and "got inf" in grade.message
    finally:
        np.seterr(**old)


def test_values_are_compared_relative_to_themselves_or_near_0_to_the_largest():
    difference = exercises.grader.difference
    want = {"a": np.array([0.1, 0.0, -0.1])}  # near 0: a thousandth of 0.1, times rtol
    assert difference({"a": np.array([0.1, 0.9e-13, -0.1])}, want, 1e-9) is None
    assert difference({"a": np.array([0.1, 1.1e-13, -0.1])}, want, 1e-9) == (
        "a differs at [1]: expected 0, got 1.1e-13")
    assert difference({"a": np.array([0.1 + 0.9e-10, 0, -0.1])}, want, 1e-9) is None
    assert difference({"a": np.array([0.1 + 1.2e-10, 0, -0.1])}, want, 1e-9) is not None
    assert difference({"a": np.array([np.nan, 0, -0.1])}, {"a": np.array([np.nan, 0, -0.1])},
                      1e-9) is None
    assert difference({"a": 2.0}, {"a": 1.0}, 1e-9) == "a differs: expected 1, got 2"
    import warnings

    with warnings.catch_warnings():  # inf - inf is NaN: no warning, and inf matches inf
        warnings.simplefilter("error")
        assert difference({"a": np.array([np.inf])}, {"a": np.array([np.inf])}, 1e-9) is None
    assert difference({"a": "x"}, {"a": "y"}, 1e-9) == "a: x, expected y"


def test_a_bool_mask_and_integer_results_are_numbers_to_compare():
    grade = exercises.check("relu_backward", lambda Z, dA: Z > 0)
    assert grade.message == "relu_backward: returned the mask Z > 0 itself: multiply it by dA"
    grade = exercises.check("dense_forward", lambda X, W, b: np.zeros((5, 4), dtype=np.int64))
    assert "Z (B=5, n_in=3, n_out=4) differs at [0, 0]: expected" in grade.message
    grade = exercises.check("dense_forward", lambda X, W, b: np.zeros((5, 4), dtype=np.uint8))
    assert "differs at [0, 0]" in grade.message


def test_a_changed_input_is_reported_even_when_the_result_is_right():
    def dense_forward(X, W, b):
        Z = X @ W + b
        X[...] = 0
        return Z

    assert exercises.check("dense_forward", dense_forward).message == (
        "dense_forward: input X (B=5, n_in=3, n_out=4): changed in place, expected unchanged")


@pytest.mark.parametrize("length, shortened", [(58, False), (59, True)])
def test_values_longer_than_60_characters_are_shortened(length, shortened):
    text = "x" * length  # its repr has 2 characters more
    message = exercises.check("dense_forward", lambda X, W, b: text).message
    shown = repr(text) if not shortened else repr(text)[:57] + "..."
    assert message == f"dense_forward: Z (B=5, n_in=3, n_out=4) is {shown}, expected an array " \
                      f"of shape (5, 4)"


def test_an_unpacking_error_gets_the_signature_and_a_builtin_no_line():
    def sgd(W, dW, lr):
        a, b = None

    assert exercises.check("sgd", sgd).message.endswith("; the function is sgd(W, dW, lr) -> None")
    message = exercises.check("sgd", np.add).message
    assert message == "sgd: raised TypeError: return arrays must be of ArrayType"


def test_the_line_quoted_is_the_learners_not_numpys():
    def adam(W, dW, v, s, t, lr, beta1, beta2, eps):
        np.linalg.inv(np.zeros((2, 2)))

    line = adam.__code__.co_firstlineno + 1
    assert exercises.check("adam", adam).message == (
        f"adam: raised LinAlgError: Singular matrix (line {line}: "
        f"np.linalg.inv(np.zeros((2, 2))))")


def test_a_result_that_is_no_tuple_where_two_are_due():
    assert exercises.check("softmax_cross_entropy", lambda Z, y: None).message == (
        "softmax_cross_entropy: the result (logits near 0): None, expected 2 values "
        "(loss, dZ)")


def test_an_invalid_comparison_with_a_mistake_stays_silent():
    import warnings

    wrong = [fn for name, fn, named in MISTAKES if "(t - 1 makes" in named][0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "(t - 1 makes the first step divide" in exercises.check("adam", wrong).message
