"""torch.optim on the engine: SGD and Adam against hand-written numpy references of their
textbook formulas, the fused arithmetic of torch's kernels, state, versions and zero_grad."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest

from gradtui.engine import torchapi as torch
from gradtui.engine.torchapi.optim import _functional as K

nn = torch.nn

P0 = np.array([1.0, -2.0, 0.5, 3.0])
GRADS = [np.array([0.3, -1.2, 0.05, 2.0]), np.array([-0.7, 0.4, 0.9, 1.5]),
         np.array([0.1, 0.1, -2.5, -0.3]), np.array([1.1, -0.6, 0.2, 0.8])]


def _run(make: type, dtype: torch.dtype = torch.float64, **hyper: object) -> np.ndarray:
    """Apply the optimizer to P0 with the fixed gradient sequence; return the parameter."""
    p = nn.Parameter(torch.tensor(P0, dtype=dtype))
    opt = make([p], **hyper)
    for g in GRADS:
        p.grad = torch.tensor(g, dtype=dtype)
        opt.step()
    return p.detach().numpy()


def _sgd_reference(lr: float, momentum: float = 0.0, dampening: float = 0.0,
                   weight_decay: float = 0.0, nesterov: bool = False) -> np.ndarray:
    p, buf = P0.copy(), None
    for g in GRADS:
        d = g + weight_decay * p
        if momentum:
            buf = d.copy() if buf is None else momentum * buf + (1 - dampening) * d
            d = d + momentum * buf if nesterov else buf
        p = p - lr * d
    return p


def _adam_reference(lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                    weight_decay: float = 0.0, amsgrad: bool = False) -> np.ndarray:
    p, m, v, vmax = P0.copy(), np.zeros(4), np.zeros(4), np.zeros(4)
    b1, b2 = betas
    for t, g in enumerate(GRADS, start=1):
        g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = np.maximum(vmax, v)
        m_hat = m / (1 - b1**t)
        v_hat = (vmax if amsgrad else v) / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


@pytest.mark.parametrize("hyper", [
    {"lr": 0.1},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    {"lr": 0.1, "momentum": 0.5, "dampening": 0.25, "weight_decay": 0.01},
    {"lr": 0.2, "weight_decay": 0.1},
])
def test_sgd_follows_the_textbook_update(hyper: dict) -> None:
    np.testing.assert_allclose(_run(torch.optim.SGD, **hyper), _sgd_reference(**hyper),
                               rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(_run(torch.optim.SGD, torch.float32, **hyper),
                               _sgd_reference(**hyper), rtol=2e-6, atol=1e-7)


def test_sgd_maximize_climbs() -> None:
    np.testing.assert_allclose(_run(torch.optim.SGD, lr=0.1, maximize=True),
                               _sgd_reference(lr=-0.1), rtol=1e-14)


@pytest.mark.parametrize("hyper", [
    {"lr": 0.01},
    {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-6},
    {"lr": 0.05, "weight_decay": 0.1},
    {"lr": 0.05, "amsgrad": True},
])
def test_adam_follows_the_textbook_update(hyper: dict) -> None:
    np.testing.assert_allclose(_run(torch.optim.Adam, **hyper), _adam_reference(**hyper),
                               rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(_run(torch.optim.Adam, torch.float32, **hyper),
                               _adam_reference(**hyper), rtol=2e-6, atol=1e-7)


def test_adam_decoupled_weight_decay_scales_the_parameter_first() -> None:
    lr, wd = 0.05, 0.1
    got = _run(torch.optim.Adam, lr=lr, weight_decay=wd, decoupled_weight_decay=True)
    p, m, v = P0.copy(), np.zeros(4), np.zeros(4)
    for t, g in enumerate(GRADS, start=1):
        p = p * (1 - lr * wd)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        p = p - lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(got, p, rtol=1e-13)


# -- torch's fused kernels -------------------------------------------------------------------


def _exact_float32(value: Fraction) -> np.float32:
    return np.float32(float(value))  # one rounding to double is exact enough for these values


def test_add_with_alpha_rounds_once_like_torchs_fused_kernel() -> None:
    # the first two values are ones where rounding alpha * b before adding gives another
    # float32 than torch's single rounding
    a = np.array([-0.4526492953300476, 0.22578661143779755, 3.0], dtype=np.float32)
    b = np.array([-1.368286371231079, 1.8657306432724, 0.1], dtype=np.float32)
    alpha = -0.1
    got = K.add_scaled(a, b, alpha)
    a32 = np.float32(alpha)
    exact = [_exact_float32(Fraction(float(x)) + Fraction(float(a32)) * Fraction(float(y)))
             for x, y in zip(a, b, strict=True)]
    np.testing.assert_array_equal(got, np.array(exact, dtype=np.float32))
    assert got.dtype == np.float32
    assert (got != a + a32 * b).sum() == 2


def _round_to_float32(value: Fraction) -> np.float32:
    """``value`` correctly rounded to float32 (nearest, ties to even), never via a double."""
    guess = np.float32(float(value))
    inf = np.float32(np.inf)
    near = [np.nextafter(guess, -inf), guess, np.nextafter(guess, inf)]
    return min(near, key=lambda c: (abs(Fraction(float(c)) - value), int(c.view(np.int32)) & 1))


def test_add_with_alpha_rounds_once_where_a_double_would_round_to_a_tie() -> None:
    # alpha * b = -0.001f * 0.75 lies exactly half way between two float32s: a = -2**-126
    # makes the exact sum a little larger, which a float64 sum loses (the tie then went to
    # even, an ulp from torch's fused result); a = +2**-126 a little smaller; 0 is the tie.
    a = np.array([-(2.0 ** -126), 2.0 ** -126, 0.0], dtype=np.float32)
    b = np.full(3, 0.75, dtype=np.float32)
    alpha = Fraction(float(np.float32(-0.001)))
    expected = [_round_to_float32(Fraction(float(x)) + alpha * Fraction(0.75)) for x in a]
    got = K.add_scaled(a, b, -0.001)
    np.testing.assert_array_equal(got, np.array(expected, dtype=np.float32))
    assert len(set(got.tolist())) == 2  # the tie broke both ways


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_ops_keep_infinities_and_nan_like_torch(dtype: type) -> None:
    p = np.array([1.0, 2.0, 0.0], dtype=dtype)
    g = np.array([np.inf, np.nan, -np.inf], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing of numpy's reaches the learner
        got = K.add_scaled(p, g, -0.1)
        squares = K.addcmul(p, g, g, 0.5)
    assert got[0] == -np.inf and np.isnan(got[1]) and got[2] == np.inf
    assert squares[0] == np.inf and np.isnan(squares[1]) and squares[2] == np.inf


def test_lerp_uses_torchs_two_branches() -> None:
    # values where one rounding differs from two (weight 0.1), and where the large-weight
    # branch differs from the small-weight formula (weight 0.7)
    start = np.array([-0.5677695870399475, -0.21559716761112213, 2.040919065475464,
                      -2.5556650161743164], dtype=np.float32)
    end = np.array([0.055658962577581406, 1.0376981496810913, 0.029630368575453758,
                    -0.960284411907196], dtype=np.float32)
    for weight in (0.1, 0.7):
        w = np.float32(weight)
        got = K.lerp(start, end, weight)
        for s, e, out in zip(start, end, got, strict=True):
            diff = Fraction(float(np.float32(e - s)))
            if weight < 0.5:
                exact = Fraction(float(s)) + Fraction(float(w)) * diff
            else:
                exact = Fraction(float(e)) - diff * Fraction(float(np.float32(1) - w))
            assert out == _exact_float32(exact)


def test_addcmul_and_addcdiv_round_like_torch() -> None:
    s = np.array([0.5, 1e-3, 2.0], dtype=np.float32)
    t1 = np.array([0.3, -1.7, 4.1], dtype=np.float32)
    t2 = np.array([1.3, 0.9, -0.2], dtype=np.float32)
    v = np.float32(0.001)
    got = K.addcmul(s, t1, t2, 0.001)
    exact = [_exact_float32(Fraction(float(a)) + Fraction(float(np.float32(v * b))) *
                            Fraction(float(c))) for a, b, c in zip(s, t1, t2, strict=True)]
    np.testing.assert_array_equal(got, np.array(exact, dtype=np.float32))
    np.testing.assert_array_equal(K.addcdiv(s, t1, t2, -0.5),
                                  s + (np.float32(-0.5) * t1) / t2)


# -- state, versions, zero_grad ---------------------------------------------------------------


def test_step_skips_parameters_without_gradients() -> None:
    a, b = nn.Parameter(torch.ones(2)), nn.Parameter(torch.ones(2))
    opt = torch.optim.Adam([a, b], lr=0.1)
    a.grad = torch.ones(2)
    opt.step()
    assert b._version == 0 and len(opt.state[b]) == 0 and torch.equal(b, torch.ones(2))
    assert a._version == 1 and float(opt.state[a]["step"]) == 1.0


def test_sgd_momentum_buffer_starts_as_a_copy_of_the_first_gradient() -> None:
    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = torch.tensor([0.5, -0.5])
    opt.step()
    buf = opt.state[p]["momentum_buffer"]
    assert torch.equal(buf, p.grad) and buf._array is not p.grad._array
    assert not buf.requires_grad


def test_each_step_is_one_in_place_write_of_the_parameter() -> None:
    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1)
    loss = (p * p).sum()
    loss.backward(retain_graph=True)
    for expected in (1, 2, 3):
        opt.step()
        assert p._version == expected
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_optimizer_zero_grad_sets_none_or_zeros_the_same_tensor() -> None:
    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    opt = torch.optim.SGD([p], lr=0.1)
    (p * 3).sum().backward()
    grad = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad and grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_step_runs_without_recording_a_graph_and_closure_with_one() -> None:
    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    opt = torch.optim.SGD([p], lr=0.1)

    def closure() -> object:
        opt.zero_grad()
        loss = (p * p).sum()
        assert loss.grad_fn is not None  # closures run with grad enabled, as in torch
        loss.backward()
        return loss

    with torch.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 5.0 and p.is_leaf and p.grad_fn is None
    assert p.tolist() == pytest.approx([0.8, 1.6])


def test_state_dict_numbers_parameters_across_groups() -> None:
    a, b, c = (nn.Parameter(torch.ones(1)) for _ in range(3))
    opt = torch.optim.SGD([{"params": [a, b]}, {"params": [c], "lr": 1.0}], lr=0.1, momentum=0.5)
    for p in (a, c):
        p.grad = torch.ones(1)
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sorted(sd["state"]) == [0, 2]
    assert list(sd["param_groups"][1]) == ["lr", "momentum", "dampening", "weight_decay",
                                           "nesterov", "maximize", "foreach", "differentiable",
                                           "fused", "params"]


def test_load_state_dict_lets_training_continue_exactly() -> None:
    def fresh() -> nn.Parameter:
        return nn.Parameter(torch.tensor(P0))

    straight = fresh()
    opt = torch.optim.Adam([straight], lr=0.05, amsgrad=True)
    for g in GRADS:
        straight.grad = torch.tensor(g)
        opt.step()
    first, second = fresh(), None
    opt1 = torch.optim.Adam([first], lr=0.05, amsgrad=True)
    for g in GRADS[:2]:
        first.grad = torch.tensor(g)
        opt1.step()
    second = nn.Parameter(first.detach().clone())
    opt2 = torch.optim.Adam([second], lr=1.0)  # hyperparameters come from the state dict
    opt2.load_state_dict(opt1.state_dict())
    assert opt2.param_groups[0]["lr"] == 0.05 and opt2.param_groups[0]["params"][0] is second
    for g in GRADS[2:]:
        second.grad = torch.tensor(g)
        opt2.step()
    np.testing.assert_array_equal(second.detach().numpy(), straight.detach().numpy())
