"""RMSprop, Adagrad, Adadelta, Adamax and AdamW on the engine against hand-written numpy
references of their textbook formulas (float64), and their state (what exists when)."""

from __future__ import annotations

import numpy as np
import pytest

from gradtui.engine import torchapi as torch

nn = torch.nn

P0 = np.array([1.0, -2.0, 0.5, 3.0])
GRADS = [np.array([0.3, -1.2, 0.05, 2.0]), np.array([-0.7, 0.4, 0.9, 1.5]),
         np.array([0.1, 0.1, -2.5, -0.3]), np.array([1.1, -0.6, 0.2, 0.8])]


def _run(name: str, **hyper: object) -> np.ndarray:
    p = nn.Parameter(torch.tensor(P0, dtype=torch.float64))
    opt = getattr(torch.optim, name)([p], **hyper)
    for g in GRADS:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    return p.detach().numpy()


def _rmsprop(lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0,
             momentum: float = 0, centered: bool = False) -> np.ndarray:
    p, v, m, buf = P0.copy(), np.zeros(4), np.zeros(4), np.zeros(4)
    for g in GRADS:
        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        m = alpha * m + (1 - alpha) * g
        avg = np.sqrt(v - m * m if centered else v) + eps
        if momentum:
            buf = momentum * buf + g / avg
            p = p - lr * buf
        else:
            p = p - lr * g / avg
    return p


def _adagrad(lr: float = 0.01, lr_decay: float = 0, weight_decay: float = 0,
             initial_accumulator_value: float = 0, eps: float = 1e-10) -> np.ndarray:
    p, s = P0.copy(), np.full(4, float(initial_accumulator_value))
    for t, g in enumerate(GRADS, start=1):
        g = g + weight_decay * p
        s = s + g * g
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s) + eps)
    return p


def _adadelta(lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
              weight_decay: float = 0) -> np.ndarray:
    p, v, u = P0.copy(), np.zeros(4), np.zeros(4)
    for g in GRADS:
        g = g + weight_decay * p
        v = rho * v + (1 - rho) * g * g
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta
    return p


def _adamax(lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
            weight_decay: float = 0) -> np.ndarray:
    p, m, u = P0.copy(), np.zeros(4), np.zeros(4)
    b1, b2 = betas
    for t, g in enumerate(GRADS, start=1):
        g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g) + eps)
        p = p - lr / (1 - b1**t) * m / u
    return p


def _adamw(lr: float = 1e-3, weight_decay: float = 1e-2) -> np.ndarray:
    p, m, v = P0.copy(), np.zeros(4), np.zeros(4)
    for t, g in enumerate(GRADS, start=1):
        p = p * (1 - lr * weight_decay)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        p = p - lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return p


@pytest.mark.parametrize(("name", "reference", "hyper"), [
    ("RMSprop", _rmsprop, {}),
    ("RMSprop", _rmsprop, {"lr": 0.05, "momentum": 0.9}),
    ("RMSprop", _rmsprop, {"lr": 0.05, "centered": True, "weight_decay": 0.1}),
    ("RMSprop", _rmsprop, {"alpha": 0.5, "centered": True, "momentum": 0.5, "eps": 1e-3}),
    ("Adagrad", _adagrad, {}),
    ("Adagrad", _adagrad, {"lr": 0.1, "lr_decay": 0.2, "initial_accumulator_value": 0.5,
                           "weight_decay": 0.01}),
    ("Adadelta", _adadelta, {}),
    ("Adadelta", _adadelta, {"lr": 0.5, "rho": 0.5, "weight_decay": 0.1}),
    ("Adamax", _adamax, {}),
    ("Adamax", _adamax, {"lr": 0.1, "betas": (0.5, 0.9), "weight_decay": 0.1}),
    ("AdamW", _adamw, {}),
    ("AdamW", _adamw, {"lr": 0.05, "weight_decay": 0.5}),
])
def test_optimizer_follows_the_textbook_update(name: str, reference: object,
                                               hyper: dict) -> None:
    np.testing.assert_allclose(_run(name, **hyper), reference(**hyper), rtol=1e-12,
                               atol=1e-14)


@pytest.mark.parametrize("name", ["RMSprop", "Adagrad", "Adadelta", "Adamax", "AdamW"])
def test_maximize_is_descending_on_the_negated_gradient(name: str) -> None:
    up = nn.Parameter(torch.tensor(P0))
    down = nn.Parameter(torch.tensor(P0))
    opt_up = getattr(torch.optim, name)([up], lr=0.1, maximize=True)
    opt_down = getattr(torch.optim, name)([down], lr=0.1)
    for g in GRADS:
        up.grad, down.grad = torch.tensor(g), torch.tensor(-g)
        opt_up.step()
        opt_down.step()
    np.testing.assert_array_equal(up.detach().numpy(), down.detach().numpy())


def test_state_keys_follow_the_options() -> None:
    def keys(name: str, **hyper: object) -> list[str]:
        p = nn.Parameter(torch.ones(2))
        opt = getattr(torch.optim, name)([p], **hyper)
        p.grad = torch.ones(2)
        opt.step()
        return list(opt.state[p])

    assert keys("RMSprop") == ["step", "square_avg"]
    assert keys("RMSprop", momentum=0.9, centered=True) == ["step", "square_avg",
                                                             "momentum_buffer", "grad_avg"]
    assert keys("Adagrad") == ["step", "sum"]
    assert keys("Adadelta") == ["step", "square_avg", "acc_delta"]
    assert keys("Adamax") == ["step", "exp_avg", "exp_inf"]
    assert keys("AdamW", amsgrad=True) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]


def test_adagrad_state_exists_before_the_first_step_and_others_wait() -> None:
    p = nn.Parameter(torch.ones(2))
    opt = torch.optim.Adagrad([p], initial_accumulator_value=0.5)
    assert opt.state[p]["sum"].tolist() == [0.5, 0.5] and float(opt.state[p]["step"]) == 0.0
    assert len(torch.optim.RMSprop([p]).state) == 0


def test_step_counters_are_float64_when_that_is_the_default_dtype() -> None:
    torch.set_default_dtype(torch.float64)
    try:
        opt = torch.optim.Adagrad([nn.Parameter(torch.ones(1))])
        assert next(iter(opt.state.values()))["step"].dtype == torch.float64
    finally:
        torch.set_default_dtype(torch.float32)
    opt = torch.optim.Adagrad([nn.Parameter(torch.ones(1))])
    assert next(iter(opt.state.values()))["step"].dtype == torch.float32


def test_a_scheduler_does_not_keep_its_optimizer_alive_through_the_step_wrapper() -> None:
    import gc
    import weakref

    opt = torch.optim.SGD([nn.Parameter(torch.ones(1))], lr=0.1)
    torch.optim.lr_scheduler.StepLR(opt, 1)
    alive = weakref.ref(opt)
    del opt
    gc.collect()
    assert alive() is None


def test_tensor_learning_rates_are_filled_in_place_by_schedulers() -> None:
    lr = torch.tensor(0.1)
    opt = torch.optim.SGD([nn.Parameter(torch.ones(1))], lr=lr)
    sched = torch.optim.lr_scheduler.StepLR(opt, 1, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr and lr.item() == pytest.approx(0.05)
    assert sched.get_last_lr()[0] is not lr  # a copy, as torch's
