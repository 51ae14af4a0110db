"""Elementwise math (atan, asin, acos, sinh, cosh, exp2, log2, log10, expm1, erf), logsumexp and
the activations of torch.nn.functional and torch.nn (softplus, elu, selu, gelu, silu, mish,
hardtanh, relu6, hardsigmoid, hardswish): values, grad_fn names, gradients, reprs, edge values,
integer inputs and errors."""

TOPIC = "activations"

_X = "x = torch.tensor([-2.0, -0.5, 0.0, 0.5, 3.0], requires_grad=True)\n"

CASES = [
    # -- elementwise math ---------------------------------------------------------------------
    ("trig_inverse_values_grads",
     "x = torch.tensor([-0.9, -0.5, 0.0, 0.3, 0.75], requires_grad=True)\n"
     "for f in (torch.atan, torch.asin, torch.acos):\n"
     "    y = f(x)\n"
     "    print(y, y.grad_fn.name())\n"
     "    g, = torch.autograd.grad(y.sum(), x)\n"
     "    print(g)"),
    ("asin_acos_outside_domain",
     "x = torch.tensor([-2.0, -1.0, 1.0, 1.5], requires_grad=True)\n"
     "print(torch.asin(x), torch.acos(x))\n"
     "torch.asin(x).sum().backward()\nprint(x.grad)"),
    ("hyperbolic_values_grads",
     _X + "for f in (torch.sinh, torch.cosh):\n"
     "    y = f(x)\n"
     "    print(y, y.grad_fn.name())\n"
     "    g, = torch.autograd.grad(y.sum(), x)\n"
     "    print(g)\n"
     "print(torch.sinh(torch.tensor([100.0, -100.0])), torch.cosh(torch.tensor(100.0)))"),
    ("exp2_expm1_values_grads",
     _X + "for f in (torch.exp2, torch.expm1):\n"
     "    y = f(x)\n"
     "    print(y, y.grad_fn.name())\n"
     "    g, = torch.autograd.grad((y * torch.tensor([1., 2., 3., 4., 5.])).sum(), x)\n"
     "    print(g)\n"
     "print(torch.expm1(torch.tensor([1e-10, -1e-8], dtype=torch.float64)))"),
    ("log2_log10_values_grads",
     "x = torch.tensor([0.25, 1.0, 2.0, 10.0, 1000.0], requires_grad=True)\n"
     "for f in (torch.log2, torch.log10):\n"
     "    y = f(x)\n"
     "    print(y, y.grad_fn.name())\n"
     "    g, = torch.autograd.grad(y.sum(), x)\n"
     "    print(g)\n"
     "print(torch.log2(torch.tensor([0.0, -1.0])), torch.log10(torch.tensor([0.0, -1.0])))"),
    ("erf_values_grads",
     _X + "y = torch.erf(x)\nprint(y, y.grad_fn.name())\ny.sum().backward()\nprint(x.grad)\n"
     "print(torch.erf(torch.tensor([10.0, -10.0, float('inf')])))"),
    ("methods_and_float64",
     "x = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)\n"
     "print(x.atan(), x.sinh(), x.cosh(), x.exp2(), x.expm1(), x.log2(), x.log10(), x.erf())\n"
     "print(x.asin().grad_fn.name(), x.arctan().grad_fn.name(), torch.arcsin(x * 0.5))"),
    ("integer_inputs_give_float",
     "t = torch.tensor([1, 2])\n"
     "for f in (torch.atan, torch.asin, torch.acos, torch.sinh, torch.cosh, torch.exp2,\n"
     "          torch.log2, torch.log10, torch.expm1, torch.erf):\n"
     "    print(f.__name__, f(t), f(t).dtype)\n"
     "print(torch.atan(torch.tensor([True, False])))"),
    # -- logsumexp ----------------------------------------------------------------------------
    ("logsumexp_dims_keepdim",
     "m = torch.tensor([[1., 2., 3.], [-1., 0., 0.5]], requires_grad=True)\n"
     "y = torch.logsumexp(m, 1)\nprint(y, y.grad_fn.name())\n"
     "print(torch.logsumexp(m, 0, keepdim=True))\nprint(m.logsumexp((0, 1)))\n"
     "print(torch.logsumexp(m, dim=-1, keepdim=True))\n"
     "y.sum().backward()\nprint(m.grad)"),
    ("logsumexp_is_stable",
     "m = torch.tensor([[1000., 1000., -5.], [-1000., -1000., -1000.]], requires_grad=True)\n"
     "y = torch.logsumexp(m, 1)\nprint(y)\nprint(torch.log(torch.exp(m).sum(1)))\n"
     "y.sum().backward()\nprint(m.grad)"),
    ("logsumexp_infinities_and_empty",
     "print(torch.logsumexp(torch.tensor([-float('inf'), -float('inf')]), 0))\n"
     "print(torch.logsumexp(torch.tensor([float('inf'), 1.]), 0))\n"
     "print(torch.logsumexp(torch.tensor([]), 0))\n"
     "print(torch.logsumexp(torch.tensor(3.), 0))\n"
     "print(torch.logsumexp(torch.tensor([[1, 2], [3, 4]]), 1))"),
    ("logsumexp_matches_log_softmax",
     "x = torch.tensor([[0.5, -1.0, 2.0]])\n"
     "print(x - torch.logsumexp(x, 1, keepdim=True))\nprint(torch.log_softmax(x, 1))"),
    ("logsumexp_without_dim_error", "torch.logsumexp(torch.tensor([1., 2.]))"),
    ("logsumexp_bad_dim_error", "torch.logsumexp(torch.tensor([1., 2.]), 1)"),
    # -- nn.functional activations ------------------------------------------------------------
    ("softplus_values_grads",
     "import torch.nn.functional as F\n" + _X +
     "y = F.softplus(x)\nprint(y, y.grad_fn.name())\ny.sum().backward()\nprint(x.grad)\n"
     "print(F.softplus(torch.tensor([-30., 1., 30.]), beta=2, threshold=10))\n"
     "print(F.softplus(torch.tensor([19.5, 20.5, 100.])))"),
    ("softplus_threshold_gradient",
     "import torch.nn.functional as F\n"
     "x = torch.tensor([1.0, 4.0, 6.0], requires_grad=True)\n"
     "F.softplus(x, beta=1.0, threshold=5.0).sum().backward()\nprint(x.grad)"),
    ("elu_selu_values_grads",
     "import torch.nn.functional as F\n" + _X +
     "for y in (F.elu(x), F.elu(x, alpha=0.5), F.selu(x)):\n"
     "    print(y, y.grad_fn.name())\n"
     "    g, = torch.autograd.grad(y.sum(), x)\n"
     "    print(g)"),
    ("elu_inplace_saves_result",
     "import torch.nn.functional as F\n" + _X +
     "h = x * 1\ny = F.elu(h, inplace=True)\nprint(y is h, h._version, y.grad_fn.name())\n"
     "y.sum().backward()\nprint(x.grad)\n"
     "h2 = x * 1\nprint(F.selu(h2, inplace=True).grad_fn.name())"),
    ("gelu_values_grads",
     "import torch.nn.functional as F\n"
     "x = torch.tensor([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5], requires_grad=True)\n"
     "for y in (F.gelu(x), F.gelu(x, approximate='tanh')):\n"
     "    print(y, y.grad_fn.name())\n"
     "    g, = torch.autograd.grad(y.sum(), x)\n"
     "    print(g)"),
    ("gelu_bad_approximate_error",
     "import torch.nn.functional as F\nF.gelu(torch.ones(2), approximate='foo')"),
    ("gelu_positional_approximate_error",
     "import torch.nn.functional as F\nF.gelu(torch.ones(2), 'tanh')"),
    ("silu_mish_values_grads",
     "import torch.nn.functional as F\n" + _X +
     "for y in (F.silu(x), F.mish(x)):\n"
     "    print(y, y.grad_fn.name())\n"
     "    g, = torch.autograd.grad(y.sum(), x)\n"
     "    print(g)\n"
     "print(F.silu(torch.tensor([-100., 100.])), F.mish(torch.tensor([-20., 100.])))"),
    ("silu_is_x_times_sigmoid",
     "import torch.nn.functional as F\nx = torch.linspace(-3, 3, 7)\n"
     "print(F.silu(x))\nprint(x * torch.sigmoid(x))"),
    ("hardtanh_relu6_values_grads",
     "import torch.nn.functional as F\n"
     "x = torch.tensor([-7.0, -1.0, -0.5, 0.0, 1.0, 5.0, 6.0, 8.0], requires_grad=True)\n"
     "for y in (F.hardtanh(x), F.hardtanh(x, min_val=-2.0, max_val=5.0), F.relu6(x)):\n"
     "    print(y, y.grad_fn.name())\n"
     "    g, = torch.autograd.grad(y.sum(), x)\n"
     "    print(g)"),
    ("hardtanh_integer_input",
     "import torch.nn.functional as F\n"
     "print(F.hardtanh(torch.tensor([1, 2, -3])), F.relu6(torch.tensor([1, 7, -3])))"),
    ("hardtanh_bounds_error",
     "import torch.nn.functional as F\nF.hardtanh(torch.ones(2), 2.0, 1.0)"),
    ("hardsigmoid_hardswish_values_grads",
     "import torch.nn.functional as F\n"
     "x = torch.tensor([-4.0, -3.0, -1.5, 0.0, 1.5, 3.0, 4.0], requires_grad=True)\n"
     "for y in (F.hardsigmoid(x), F.hardswish(x)):\n"
     "    print(y, y.grad_fn.name())\n"
     "    g, = torch.autograd.grad(y.sum(), x)\n"
     "    print(g)"),
    ("hardsigmoid_float64_gradient",
     "import torch.nn.functional as F\n"
     "x = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)\n"
     "F.hardsigmoid(x).sum().backward()\nprint(x.grad.tolist())"),
    ("inplace_activations",
     "import torch.nn.functional as F\n" + _X +
     "for f in (F.silu, F.mish, F.hardtanh, F.relu6, F.hardsigmoid, F.hardswish):\n"
     "    h = x * 1\n"
     "    y = f(h, inplace=True)\n"
     "    print(f.__name__, y is h, h._version, y.grad_fn.name(), y)"),
    ("inplace_on_leaf_error",
     "import torch.nn.functional as F\n" + _X + "F.silu(x, inplace=True)"),
    ("integer_input_errors",
     "import torch.nn.functional as F\nt = torch.tensor([1, 2])\n"
     "for f in (F.softplus, F.elu, F.selu, F.gelu, F.silu, F.mish, F.hardsigmoid,\n"
     "          F.hardswish):\n"
     "    try:\n"
     "        f(t)\n"
     "    except NotImplementedError as e:\n"
     "        print(e)"),
    ("float64_activations",
     "import torch.nn.functional as F\n"
     "x = torch.tensor([-1.5, 0.25, 2.0], dtype=torch.float64, requires_grad=True)\n"
     "for f in (F.softplus, F.elu, F.selu, F.gelu, F.silu, F.mish, F.hardswish):\n"
     "    y = f(x)\n"
     "    g, = torch.autograd.grad(y.sum(), x)\n"
     "    print(y, g)"),
    # -- nn modules ---------------------------------------------------------------------------
    ("module_reprs",
     "import torch.nn as nn\n"
     "for m in (nn.Softplus(), nn.Softplus(2, 10), nn.ELU(), nn.ELU(alpha=0.5, inplace=True),\n"
     "          nn.SELU(), nn.SELU(inplace=True), nn.GELU(), nn.GELU('tanh'), nn.SiLU(),\n"
     "          nn.SiLU(inplace=True), nn.Mish(), nn.Mish(True), nn.Hardtanh(),\n"
     "          nn.Hardtanh(-2, 2, True), nn.ReLU6(), nn.ReLU6(True), nn.Hardsigmoid(),\n"
     "          nn.Hardsigmoid(True), nn.Hardswish(), nn.Hardswish(True)):\n"
     "    print(m)"),
    ("modules_in_sequential",
     "import torch.nn as nn\n"
     "model = nn.Sequential(nn.Linear(2, 2), nn.GELU(), nn.Linear(2, 2), nn.SiLU(),\n"
     "                      nn.Linear(2, 1), nn.Softplus())\n"
     "with torch.no_grad():\n"
     "    for layer in (model[0], model[2], model[4]):\n"
     "        layer.weight.fill_(0.5)\n"
     "        layer.bias.fill_(-0.25)\n"
     "print(model)\n"
     "x = torch.tensor([[1.0, -2.0], [0.5, 0.5]])\n"
     "out = model(x)\nprint(out, out.grad_fn.name())\n"
     "out.sum().backward()\nprint(model[0].weight.grad)"),
    ("modules_forward",
     "import torch.nn as nn\n" + _X +
     "for m in (nn.Softplus(beta=2.0), nn.ELU(0.3), nn.SELU(), nn.GELU(approximate='tanh'),\n"
     "          nn.SiLU(), nn.Mish(), nn.Hardtanh(-0.5, 0.5), nn.ReLU6(), nn.Hardsigmoid(),\n"
     "          nn.Hardswish()):\n"
     "    y = m(x)\n"
     "    print(type(m).__name__, y.grad_fn.name(), y)"),
    ("module_attributes",
     "import torch.nn as nn\n"
     "print(nn.ELU().alpha, nn.Softplus().beta, nn.Softplus().threshold, nn.GELU().approximate)\n"
     "print(nn.ReLU6().min_val, nn.ReLU6().max_val, nn.Hardtanh().inplace)\n"
     "print(isinstance(nn.ReLU6(), nn.Hardtanh), type(nn.SiLU()).__module__)"),
    ("hardtanh_module_bounds_error", "import torch.nn as nn\nnn.Hardtanh(2.0, 1.0)"),
]
