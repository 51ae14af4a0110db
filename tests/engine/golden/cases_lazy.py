"""nn.LazyLinear and the lazy-module machinery: UninitializedParameter's reprs and errors,
materializing on the first forward (the same draws from torch's generator, in torch's order,
as nn.Linear), turning into a Linear, state_dict keys, load_state_dict into a lazy module,
and a learner's own lazy module built on LazyModuleMixin."""

TOPIC = "lazy"

CASES = [
    ("lazylinear_before_and_after_forward",
     "torch.manual_seed(0)\nm = torch.nn.LazyLinear(3)\nprint(m)\nprint(m.weight)\n"
     "print(repr(m.bias))\nprint(list(m.named_parameters()))\nprint(list(m.state_dict().items()))\n"
     "x = torch.randn(2, 4)\ny = m(x)\nprint(m)\nprint(type(m).__name__, type(m.weight).__name__)\n"
     "print(m.weight)\nprint(m.bias)\nprint(y)\n"),
    ("lazylinear_matches_linear_draws",
     "torch.manual_seed(3)\na = torch.nn.Linear(5, 2)\ntorch.manual_seed(3)\n"
     "b = torch.nn.LazyLinear(2)\nb(torch.zeros(1, 5))\n"
     "print(torch.equal(a.weight, b.weight), torch.equal(a.bias, b.bias))\n"
     "print(torch.rand(2))\n"),
    ("lazy_sequential_mlp_trains",
     "torch.manual_seed(0)\nnet = torch.nn.Sequential(torch.nn.LazyLinear(4), torch.nn.ReLU(), "
     "torch.nn.LazyLinear(1))\nprint(net)\nopt = torch.optim.SGD(net.parameters(), lr=0.1)\n"
     "x = torch.randn(5, 3)\nt = torch.randn(5, 1)\nfor step in range(3):\n"
     "    opt.zero_grad()\n    loss = F.mse_loss(net(x), t)\n    loss.backward()\n"
     "    opt.step()\n    print(step, loss.item())\nprint(net)\n"
     "print(sum(p.numel() for p in net.parameters()))\n"),
    ("uninitialized_parameter_errors",
     "m = torch.nn.LazyLinear(3)\np = m.weight\n"
     "for expr in ['p.shape', 'p.size()', 'p + 1', 'p * 2', 'p.dtype', 'p.requires_grad', "
     "'p.numel()', 'p.dim()', 'p.grad', 'p.is_leaf', 'p.sum()', 'p[0]', 'p.float()', "
     "'torch.nn.init.zeros_(p)', 'isinstance(p, torch.nn.Parameter)', "
     "'torch.nn.parameter.is_lazy(p)']:\n"
     "    try:\n        print(expr, '->', repr(eval(expr)))\n"
     "    except Exception as e:\n        print(expr, '!!', type(e).__name__, e)\n"),
    ("lazylinear_no_bias_float64_and_1d_input",
     "torch.manual_seed(1)\nm = torch.nn.LazyLinear(3, bias=False, dtype=torch.float64)\n"
     "print(m, list(m.state_dict()))\nprint(m(torch.ones(2, dtype=torch.float64)))\nprint(m)\n"),
    ("lazylinear_second_call_other_width",
     "torch.manual_seed(0)\nm = torch.nn.LazyLinear(3)\nm(torch.ones(2, 4))\n"
     "m(torch.ones(2, 5))\n"),
    ("lazylinear_load_state_dict",
     "torch.manual_seed(0)\nsrc = torch.nn.Linear(5, 2)\nm = torch.nn.LazyLinear(2)\n"
     "print(m.load_state_dict(src.state_dict()))\nprint(m, m.weight.shape, type(m).__name__)\n"
     "print(torch.equal(m.weight, src.weight))\nprint(m(torch.ones(1, 5)))\n"
     "print(m, type(m).__name__)\n"),
    ("lazylinear_load_then_wrong_width",
     "m = torch.nn.LazyLinear(2)\nm.load_state_dict(torch.nn.Linear(5, 2).state_dict())\n"
     "m(torch.ones(1, 4))\n"),
    ("own_lazy_module",
     "from torch.nn.modules.lazy import LazyModuleMixin\n"
     "from torch.nn.parameter import UninitializedParameter\n"
     "class LazyScale(LazyModuleMixin, torch.nn.Module):\n"
     "    def __init__(self):\n        super().__init__()\n"
     "        self.scale = UninitializedParameter()\n"
     "    def initialize_parameters(self, x):\n"
     "        if self.has_uninitialized_params():\n"
     "            with torch.no_grad():\n"
     "                self.scale.materialize(x.shape[-1:])\n"
     "                self.scale.fill_(2.0)\n"
     "    def forward(self, x):\n        return x * self.scale\n"
     "m = LazyScale()\nprint(m.has_uninitialized_params(), m.scale)\n"
     "print(m(torch.tensor([[1., 2., 3.]])))\nprint(m.has_uninitialized_params(), m.scale)\n"
     "print(type(m).__name__)\n"),
    ("lazy_module_without_initialize",
     "from torch.nn.modules.lazy import LazyModuleMixin\n"
     "class Half(LazyModuleMixin, torch.nn.Module):\n"
     "    def forward(self, x):\n        return x\n"
     "Half()(torch.ones(1))\n"),
    ("uninitialized_parameter_and_buffer",
     "p = torch.nn.UninitializedParameter()\nb = torch.nn.UninitializedBuffer()\n"
     "print(p, b, p.requires_grad, b.requires_grad, p.dtype)\n"
     "q = torch.nn.UninitializedParameter(requires_grad=False, dtype=torch.float64)\n"
     "q.materialize((2, 3))\nprint(type(q).__name__, q.shape, q.dtype, q.requires_grad)\n"
     "b.materialize(4)\nprint(type(b).__name__, b.shape)\n"),
]
