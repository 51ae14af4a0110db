"""Warnings learners trigger (category and message must match torch's) and silent edge cases.

torch raises some deprecation warnings once per process (TORCH_WARN_ONCE, e.g. ``x.T`` on a
non-2-d tensor); the generator runs every case in one process, so only one case may trigger each.
"""

TOPIC = "warnings"

CASES = [
    ("tensor_of_tensor_copy_warning",
     "t = torch.ones(2)\nc = torch.tensor(t)\nprint(c)"),
    ("tensor_of_requires_grad_tensor_warning",
     "x = torch.ones(2, requires_grad=True)\nc = torch.tensor(x)\nprint(c, c.requires_grad)"),
    ("softmax_without_dim_warning", "print(F.softmax(torch.tensor([1., 2.])))"),
    ("log_softmax_without_dim_warning",
     "print(F.log_softmax(torch.tensor([[1., 2.], [3., 5.]])))"),
    ("T_on_1d_warning", "print(torch.tensor([1., 2.]).T)"),
    ("mse_loss_size_warning", "print(F.mse_loss(torch.ones(3), torch.zeros(1)))"),
    ("nonleaf_grad_warning_retain_grad_none",
     "x = torch.ones(2, requires_grad=True)\ny = x + 1\ny.retain_grad()\nprint(y.grad)"),
    ("nonleaf_grad_warning_twice",
     "x = torch.ones(2, requires_grad=True)\ny = x * 2\nprint(y.grad)\nprint(y.grad)"),
    ("leaf_grad_no_warning", "x = torch.ones(2, requires_grad=True)\nprint(x.grad)"),
    ("nograd_result_grad_no_warning",
     "x = torch.ones(2, requires_grad=True)\nwith torch.no_grad():\n    y = x * 2\nprint(y.grad)"),
    ("detached_grad_no_warning",
     "x = torch.ones(2, requires_grad=True)\nprint((x * 2).detach().grad)"),
    ("div_by_zero_silent", "print(torch.tensor([1., -1., 0.]) / 0)"),
    ("log_negative_silent", "print(torch.tensor([-1.]).log(), torch.tensor([0.]).log())"),
    ("exp_overflow_silent", "print(torch.tensor([100., 1000.]).exp())"),
    ("int_div_by_zero_float", "print(torch.tensor([1, 0]) / 0)"),
    ("int_floordiv_by_zero_error", "print(torch.tensor([1]) // 0)"),
    ("uint8_wraps", "print(torch.tensor([200], dtype=torch.uint8) + 100)"),
    ("int8_wraps", "print(torch.tensor([100], dtype=torch.int8) * 2)"),
    ("sqrt_zero_grad_inf",
     "x = torch.tensor([0., 1.], requires_grad=True)\nx.sqrt().sum().backward()\nprint(x.grad)"),
    ("pow_half_at_zero_grad",
     "x = torch.tensor([0., 4.], requires_grad=True)\n(x ** 0.5).sum().backward()\nprint(x.grad)"),
    ("log_zero_grad_inf",
     "x = torch.tensor([0., 2.], requires_grad=True)\nx.log().sum().backward()\nprint(x.grad)"),
    # Overflow is silent in torch: numpy's RuntimeWarnings must not reach the learner.
    ("mul_overflow_silent", "print(torch.tensor([3e38]) * 10)"),
    ("float16_mul_overflow_silent", "print(torch.tensor([60000.], dtype=torch.float16) * 2)"),
    ("create_overflow_silent",
     "print(torch.tensor([1e40]))\nprint(torch.tensor([1e6], dtype=torch.float16))"),
    ("double_to_float_overflow_silent",
     "print(torch.tensor([1e300], dtype=torch.float64).float())"),
    ("inf_to_long_silent", "print(torch.tensor([float('inf')]).long())"),
    ("mse_loss_overflow_silent",
     "print(F.mse_loss(torch.tensor([1e30]), torch.tensor([-1e30])))"),
    ("nan_to_int_tensor_error", "torch.tensor([float('nan')], dtype=torch.int64)"),
    ("float_of_requires_grad_tensor_warns",
     "loss = (torch.ones(2, requires_grad=True) * 2).sum()\nprint(float(loss))\n"
     "print(loss.item(), int(loss))"),
]
