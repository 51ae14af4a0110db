"""Signed zeros: where torch prints `0.` and where `-0.` in values and gradients.

torch masks gradients with `where` (relu, clamp, max), so masked entries are +0 even when
the upstream gradient is negative, while products keep the sign of zero (`-1 * 0 = -0.`).
"""

TOPIC = "signed_zero"

CASES = [
    ("relu_neg_upstream",
     "x = torch.tensor([-1., 0., 2.], requires_grad=True)\n"
     "(-x.relu()).sum().backward()\n"
     "print(x.grad)"),
    ("F_relu_neg_upstream",
     "x = torch.tensor([-1., 0., 2.], requires_grad=True)\n"
     "(-F.relu(x)).sum().backward()\n"
     "print(x.grad)"),
    ("clamp_neg_upstream",
     "x = torch.tensor([-1., 0.5, 2.], requires_grad=True)\n"
     "(-x.clamp(0, 1)).sum().backward()\n"
     "print(x.grad)"),
    ("clamp_min_neg_upstream",
     "x = torch.tensor([-1., 0.5, 2.], requires_grad=True)\n"
     "(-x.clamp(min=0)).sum().backward()\n"
     "print(x.grad)"),
    ("mul_zero_neg_upstream",
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "(-(x * 0)).sum().backward()\n"
     "print(x.grad)"),
    ("zero_times_x",
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "(-(0 * x)).sum().backward()\n"
     "print(x.grad)"),
    ("abs_zero_neg",
     "x = torch.tensor([0., -0., 1.], requires_grad=True)\n"
     "(-x.abs()).sum().backward()\n"
     "print(x.grad)"),
    ("max_nonmax_neg",
     "x = torch.tensor([1., 3.], requires_grad=True)\n"
     "(-x.max()).backward()\n"
     "print(x.grad)"),
    ("max_dim_neg",
     "x = torch.tensor([[1., 3.]], requires_grad=True)\n"
     "(-x.max(1)[0]).sum().backward()\n"
     "print(x.grad)"),
    ("where_neg",
     "x = torch.tensor([1., -3.], requires_grad=True)\n"
     "(-torch.where(x > 0, x, torch.zeros(2))).sum().backward()\n"
     "print(x.grad)"),
    ("index_neg",
     "x = torch.tensor([1., 3.], requires_grad=True)\n"
     "(-x[0]).backward()\n"
     "print(x.grad)"),
    ("mask_neg",
     "x = torch.tensor([1., -3.], requires_grad=True)\n"
     "(-x[x > 0]).sum().backward()\n"
     "print(x.grad)"),
    ("slice_neg",
     "x = torch.tensor([1., 3.], requires_grad=True)\n"
     "(-x[1:]).sum().backward()\n"
     "print(x.grad)"),
    ("relu_forward_negzero",
     "print(torch.tensor([-0., -1.]).relu())"),
    ("clamp_forward_negzero",
     "print(torch.tensor([-0., -1.]).clamp(min=0))"),
    ("mul_forward_negzero",
     "print(torch.tensor([-1., 1.]) * 0)"),
    ("sigmoid_grad_sat",
     "x = torch.tensor([-100., 100.], requires_grad=True)\n"
     "(-x.sigmoid()).sum().backward()\n"
     "print(x.grad)"),
    ("tanh_grad_sat",
     "x = torch.tensor([-100., 100.], requires_grad=True)\n"
     "(-x.tanh()).sum().backward()\n"
     "print(x.grad)"),
    ("softmax_grad_uniform",
     "x = torch.tensor([1., 1.], requires_grad=True)\n"
     "torch.softmax(x, 0)[0].backward()\n"
     "print(x.grad)"),
    ("cat_neg",
     "x = torch.tensor([1.], requires_grad=True)\n"
     "(-torch.cat([x, torch.ones(1)])[1:]).sum().backward()\n"
     "print(x.grad)"),
    ("expand_neg",
     "x = torch.tensor([[1.], [2.]], requires_grad=True)\n"
     "(-x.expand(2, 2) * 0).sum().backward()\n"
     "print(x.grad)"),
    ("mse_zero",
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "F.mse_loss(x, torch.tensor([1., 2.])).backward()\n"
     "print(x.grad)"),
    ("ce_grad",
     "x = torch.tensor([[0., 0.]], requires_grad=True)\n"
     "F.cross_entropy(x, torch.tensor([0])).backward()\n"
     "print(x.grad)"),
    ("sub_self",
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "(x - x).sum().backward()\n"
     "print(x.grad)"),
    ("div_grad_zero_num",
     "x = torch.tensor([0., 2.], requires_grad=True)\n"
     "w = torch.tensor([1., 1.], requires_grad=True)\n"
     "(-(x / w)).sum().backward()\n"
     "print(w.grad)"),
    ("pow_zero_base",
     "x = torch.tensor([0., 2.], requires_grad=True)\n"
     "(-(x ** 2)).sum().backward()\n"
     "print(x.grad)"),
    ("sin_forward_negzero",
     "print(torch.tensor([-0.]).sin())"),
    ("neg_zero",
     "print(-torch.zeros(2))"),
    ("sum_of_negzeros",
     "print(torch.tensor([-0., -0.]).sum())"),
    ("mean_negzero",
     "print(torch.tensor([-0., -0.]).mean())"),
    ("nan_gradients_of_relu_and_abs",
     "x = torch.tensor([float(\"nan\"), -1., 2.], requires_grad=True)\n"
     "(x.relu() + x.abs()).sum().backward()\nprint(x.grad)\n"
     "w = torch.tensor([float(\"nan\")], requires_grad=True)\nw.relu().sum().backward()\n"
     "print(w.grad)"),
]
