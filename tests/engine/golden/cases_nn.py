"""torch.nn modules: Parameter, Module (registration, names, reprs, state_dict, modes), layers,
losses, nn.init and the errors learners meet. Weights are always set explicitly: random
initial values differ from torch's by design, so no case prints one."""

TOPIC = "nn"

# A two-layer net with known weights, as a tutorial builds it.
_SEQ = (
    "import torch.nn as nn\n"
    "model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))\n"
    "with torch.no_grad():\n"
    "    model[0].weight.copy_(torch.tensor([[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0]]))\n"
    "    model[0].bias.copy_(torch.tensor([0.1, -0.2, 0.0]))\n"
    "    model[2].weight.copy_(torch.tensor([[1.0, -0.5, 0.25]]))\n"
    "    model[2].bias.fill_(0.5)\n"
    "x = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.0, 1.0]])\n"
)

# A learner's own model class, with one explicit Parameter.
_NET = (
    "import torch.nn as nn\n"
    "class Net(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.fc1 = nn.Linear(2, 2)\n"
    "        self.act = nn.Tanh()\n"
    "        self.fc2 = nn.Linear(2, 1, bias=False)\n"
    "        self.scale = nn.Parameter(torch.tensor(2.0))\n"
    "    def forward(self, x):\n"
    "        return self.fc2(self.act(self.fc1(x))) * self.scale\n"
    "net = Net()\n"
    "with torch.no_grad():\n"
    "    net.fc1.weight.copy_(torch.tensor([[1.0, -1.0], [0.5, 0.5]]))\n"
    "    net.fc1.bias.zero_()\n"
    "    net.fc2.weight.copy_(torch.tensor([[1.0, 2.0]]))\n"
)

_LIN = (
    "import torch.nn as nn\n"
    "lin = nn.Linear(3, 2)\n"
    "lin.weight = nn.Parameter(torch.tensor([[1.0, 0.0, -1.0], [0.5, 2.0, 0.25]]))\n"
    "lin.bias = nn.Parameter(torch.tensor([0.5, -0.5]))\n"
)

CASES = [
    # -- Parameter ----------------------------------------------------------------------------
    ("parameter_repr_type_leaf",
     "import torch.nn as nn\np = nn.Parameter(torch.tensor([1., 2.]))\nprint(p)\nprint(repr(p))\n"
     "print(type(p))\nprint(p.is_leaf, p.requires_grad, p.grad_fn, p.grad)\n"
     "print(isinstance(p, torch.Tensor), type(p).__name__)"),
    ("parameter_requires_grad_false",
     "import torch.nn as nn\np = nn.Parameter(torch.tensor([[1., 2.]]), requires_grad=False)\n"
     "print(p)\nprint(p.requires_grad, p.is_leaf)"),
    ("parameter_scalar_and_double",
     "import torch.nn as nn\nprint(nn.Parameter(torch.tensor(3.)))\n"
     "print(nn.Parameter(torch.tensor([1.5], dtype=torch.float64)))\n"
     "print(nn.Parameter(torch.tensor(3.)).item(), nn.Parameter(torch.zeros(2, 3)).shape)\n"
     "print(f'{nn.Parameter(torch.tensor(3.))}')"),
    ("parameter_ops_give_tensors",
     "import torch.nn as nn\np = nn.Parameter(torch.tensor([1., -2., 3.]))\ny = p * p + 1\n"
     "print(y)\nprint(type(y), type(p[0]), type(p.detach()), type(p.data), type(p.clone()))\n"
     "print(y.grad_fn.name())\ny.sum().backward()\nprint(p.grad, type(p.grad))"),
    ("parameter_of_nonleaf_is_a_leaf",
     "import torch.nn as nn\nx = torch.ones(2, requires_grad=True)\np = nn.Parameter(x * 3)\n"
     "print(p)\nprint(p.is_leaf, p.grad_fn)"),
    ("parameter_shares_data_and_version",
     "import torch.nn as nn\nt = torch.tensor([1., 2.])\np = nn.Parameter(t)\n"
     "with torch.no_grad():\n    p.mul_(2)\nprint(t, t._version, p._version)"),
    ("parameter_empty", "import torch.nn as nn\nprint(nn.Parameter())"),
    ("parameter_of_int_tensor_error",
     "import torch.nn as nn\nnn.Parameter(torch.tensor([1, 2]))"),
    ("parameter_of_int_tensor_no_grad",
     "import torch.nn as nn\nprint(nn.Parameter(torch.tensor([1, 2]), requires_grad=False))"),
    ("parameter_of_list_error", "import torch.nn as nn\nnn.Parameter([1., 2.])"),
    ("parameter_deepcopy_drops_grad",
     "import copy\nimport torch.nn as nn\np = nn.Parameter(torch.tensor([1., 2.]))\n"
     "p.grad = torch.ones(2)\nq = copy.deepcopy(p)\nprint(type(q).__name__, q, q.grad, q is p)"),
    # -- Linear ------------------------------------------------------------------------------
    ("linear_repr_shapes_types",
     "import torch.nn as nn\nlin = nn.Linear(3, 2)\nprint(lin)\n"
     "print(lin.weight.shape, lin.bias.shape)\nprint(type(lin.weight), type(lin))\n"
     "print(lin.in_features, lin.out_features)\n"
     "print([(n, tuple(p.shape)) for n, p in lin.named_parameters()])"),
    ("linear_no_bias",
     "import torch.nn as nn\nlin = nn.Linear(3, 2, bias=False)\nprint(lin)\nprint(lin.bias)\n"
     "print([n for n, _ in lin.named_parameters()])\nprint(list(lin.state_dict()))"),
    ("linear_init_within_torch_bounds",
     "import math\nimport torch.nn as nn\ntorch.manual_seed(0)\nlin = nn.Linear(16, 4)\n"
     "k = 1 / math.sqrt(16)\nprint(bool((lin.weight.abs() <= k).all()), "
     "bool((lin.bias.abs() <= k).all()))\n"
     "print(lin.weight.requires_grad, lin.weight.is_leaf, lin.weight.grad)\n"
     "print(lin.weight.dtype, lin.weight._version)"),
    ("linear_float64_dtype",
     "import torch.nn as nn\nlin = nn.Linear(2, 2, dtype=torch.float64)\n"
     "print(lin.weight.dtype, lin.bias.dtype)"),
    ("linear_forward_values_and_grad_fn",
     _LIN + "x = torch.tensor([[1., 2., 3.], [0., -1., 4.]])\ny = lin(x)\nprint(y)\n"
     "print(y.grad_fn.name())\nprint([None if f is None else f.name() "
     "for f, _ in y.grad_fn.next_functions])"),
    ("linear_forward_1d_and_3d_inputs",
     _LIN + "print(lin(torch.tensor([1., 2., 3.])))\n"
     "y = lin(torch.arange(12.).reshape(2, 2, 3))\nprint(y)\nprint(y.shape, y.grad_fn.name())"),
    ("linear_backward_grads",
     _LIN + "x = torch.tensor([[1., 2., 3.], [0., -1., 4.]])\nloss = (lin(x) ** 2).mean()\n"
     "print(loss)\nloss.backward()\nprint(lin.weight.grad)\nprint(lin.bias.grad)"),
    ("linear_forward_matches_manual",
     _LIN + "x = torch.tensor([[1., 2., 3.]])\n"
     "print(torch.equal(lin(x), x @ lin.weight.t() + lin.bias))"),
    ("linear_shape_mismatch_error",
     "import torch.nn as nn\nnn.Linear(2, 4)(torch.ones(2, 3))"),
    ("linear_shape_mismatch_1d_error",
     "import torch.nn as nn\nnn.Linear(2, 4)(torch.ones(3))"),
    ("linear_double_input_error",
     "import torch.nn as nn\nnn.Linear(2, 4)(torch.ones(1, 2, dtype=torch.float64))"),
    ("linear_int_input_error",
     "import torch.nn as nn\nnn.Linear(2, 1)(torch.tensor([[1, 2], [3, 4]]))"),
    ("linear_0d_input_error", "import torch.nn as nn\nnn.Linear(2, 1)(torch.tensor(1.))"),
    ("F_linear_bias_dtype_error",
     "F.linear(torch.ones(2, 2), torch.ones(3, 2), torch.ones(3, dtype=torch.float64))"),
    ("F_linear_bias_shape_error", "F.linear(torch.ones(2, 2), torch.ones(3, 2), torch.ones(4))"),
    ("addmm_dtype_error_order",
     "torch.addmm(torch.ones(4), torch.ones(2, 2, dtype=torch.int64), torch.ones(2, 3))"),
    ("addmm_matrix_rank_error", "torch.addmm(torch.ones(3), torch.ones(2), torch.ones(2, 3))"),
    # -- Sequential and containers ------------------------------------------------------------
    ("sequential_repr_and_types",
     _SEQ + "print(model)\nprint(type(model))\nprint(type(model[0]), type(model[1]))"),
    ("sequential_named_parameters",
     _SEQ + "for name, p in model.named_parameters():\n    print(name, tuple(p.shape), "
     "type(p).__name__)\nprint(sum(p.numel() for p in model.parameters()))\n"
     "print(type(model.parameters()).__name__)"),
    ("sequential_indexing_len_iteration",
     _SEQ + "print(len(model))\nprint(model[0])\nprint(model[-1])\nprint(model[1:])\n"
     "print([type(m).__name__ for m in model])"),
    ("sequential_index_errors",
     _SEQ + "try:\n    model[3]\nexcept IndexError as e:\n    print('IndexError', e)\n"
     "model['a']"),
    ("sequential_forward_values",
     _SEQ + "y = model(x)\nprint(y)\nprint(y.grad_fn.name())\n"
     "h = model[1](model[0](x))\nprint(h)\nprint(h.grad_fn.name())"),
    ("sequential_backward_grads",
     _SEQ + "loss = ((model(x) - torch.tensor([[1.], [0.], [2.]])) ** 2).mean()\nprint(loss)\n"
     "loss.backward()\nfor name, p in model.named_parameters():\n    print(name, p.grad)"),
    ("sequential_ordereddict_names",
     "from collections import OrderedDict\nimport torch.nn as nn\n"
     "model = nn.Sequential(OrderedDict([('hidden', nn.Linear(2, 4)), ('act', nn.ReLU()), "
     "('out', nn.Linear(4, 1))]))\nprint(model)\nprint([n for n, _ in model.named_parameters()])\n"
     "print(model.hidden)"),
    ("sequential_append_insert_delete",
     "import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(2, 2))\nmodel.append(nn.ReLU())\n"
     "model.insert(0, nn.Identity())\nprint(model)\ndel model[0]\nprint(model)\nprint(len(model))"),
    ("nested_sequential_repr",
     "import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU(), "
     "nn.Linear(2, 1)), nn.Sigmoid())\nprint(model)\n"
     "print([n for n, _ in model.named_parameters()])\nprint(model[1][1])"),
    ("modulelist_repr_compresses_repeats",
     "import torch.nn as nn\nlayers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + "
     "[nn.ReLU(), nn.ReLU(), nn.Linear(2, 1)])\nprint(layers)\nprint(len(layers), layers[-1])\n"
     "print(nn.ModuleList())"),
    ("modulelist_registers_parameters",
     "import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n"
     "        super().__init__()\n        self.layers = nn.ModuleList([nn.Linear(2, 2), "
     "nn.Linear(2, 1)])\n        self.plain = [nn.Linear(5, 5)]\n"
     "print([n for n, _ in Net().named_parameters()])\nprint(Net())"),
    ("moduledict_names",
     "import torch.nn as nn\nd = nn.ModuleDict({'enc': nn.Linear(2, 3), 'dec': nn.Linear(3, 2)})\n"
     "print(d)\nprint(list(d.keys()), 'enc' in d, len(d))\n"
     "print([n for n, _ in d.named_parameters()])"),
    # -- a learner's Module subclass ----------------------------------------------------------
    ("custom_module_repr_and_names",
     _NET + "print(net)\nfor name, p in net.named_parameters():\n    print(name, tuple(p.shape))\n"
     "print(type(net))"),
    ("custom_module_forward_backward",
     _NET + "x = torch.tensor([[1.0, 0.5], [-1.0, 2.0]])\ny = net(x)\nprint(y)\n"
     "print(y.grad_fn.name())\ny.sum().backward()\nprint(net.scale.grad)\n"
     "print(net.fc1.weight.grad)\nprint(net.fc2.weight.grad)\nprint(net.fc1.bias.grad)"),
    ("custom_module_children_and_modules",
     _NET + "print([type(m).__name__ for m in net.children()])\n"
     "print([name for name, _ in net.named_children()])\n"
     "print([name for name, _ in net.named_modules()])\n"
     "print([type(m).__name__ for m in net.modules()])"),
    ("custom_module_extra_repr",
     "import torch.nn as nn\nclass Scale(nn.Module):\n    def __init__(self, k):\n"
     "        super().__init__()\n        self.k = k\n    def forward(self, x):\n"
     "        return x * self.k\n    def extra_repr(self):\n        return f'k={self.k}'\n"
     "class Multi(nn.Module):\n    def extra_repr(self):\n        return 'a=1\\nb=2'\n"
     "print(Scale(3))\nprint(nn.Sequential(Scale(2), nn.ReLU()))\nprint(Multi())\n"
     "print(Scale(2)(torch.tensor([1., 2.])))"),
    ("custom_module_plain_tensor_attribute_is_not_a_parameter",
     "import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n"
     "        super().__init__()\n        self.w = nn.Parameter(torch.ones(2))\n"
     "        self.t = torch.ones(2, requires_grad=True)\n        self.k = 3\n"
     "m = M()\nprint([n for n, _ in m.named_parameters()], m.k, m.t)"),
    ("custom_module_shared_layer_listed_once",
     "import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n"
     "        super().__init__()\n        self.a = nn.Linear(1, 1)\n        self.b = self.a\n"
     "m = M()\nprint([n for n, _ in m.named_parameters()])\nprint(list(m.state_dict()))\n"
     "print(m)"),
    ("register_parameter_buffer_add_module",
     "import torch.nn as nn\nm = nn.Module()\n"
     "m.register_parameter('w', nn.Parameter(torch.ones(2)))\n"
     "m.register_buffer('running', torch.zeros(2))\nm.add_module('lin', nn.Linear(2, 1))\n"
     "m.register_parameter('nothing', None)\n"
     "print([n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()])\n"
     "print(list(m.state_dict()))\nprint(m.running, m.nothing)\nprint(m)"),
    ("reassign_parameter_and_delete",
     "import torch.nn as nn\nlin = nn.Linear(2, 1)\nlin.bias = None\n"
     "print([n for n, _ in lin.named_parameters()], lin)\ndel lin.weight\n"
     "print([n for n, _ in lin.named_parameters()])"),
    ("module_getattr_error", "import torch.nn as nn\nnn.Linear(2, 1).wieght"),
    ("assign_tensor_to_parameter_error",
     "import torch.nn as nn\nlin = nn.Linear(2, 1)\nlin.weight = torch.ones(1, 2)"),
    ("assign_non_module_to_child_error",
     "import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(2, 1))\nsetattr(model, '0', 3)"),
    ("forgot_super_init_module_error",
     "import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n"
     "        self.fc = nn.Linear(2, 1)\nNet()"),
    ("forgot_super_init_parameter_error",
     "import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n"
     "        self.w = nn.Parameter(torch.ones(1))\nNet()"),
    ("forgot_super_init_then_call_error",
     "import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n"
     "        self.k = 2\n    def forward(self, x):\n        return x * self.k\n"
     "Net()(torch.ones(1))"),
    ("missing_forward_error",
     "import torch.nn as nn\nclass Net(nn.Module):\n    pass\nNet()(torch.ones(1))"),
    ("module_init_arguments_error",
     "import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n"
     "        super().__init__(3)\nNet()"),
    ("nonleaf_parameter_error",
     "import torch.nn as nn\nm = nn.Module()\nx = torch.ones(1, requires_grad=True)\n"
     "p = nn.Parameter(torch.ones(1))\np2 = p * 2\nm.register_parameter('q', p2)"),
    # -- state_dict ---------------------------------------------------------------------------
    ("state_dict_keys_and_detached_values",
     _SEQ + "sd = model.state_dict()\nprint(type(sd).__name__, list(sd.keys()))\n"
     "print(sd['0.bias'])\nprint(sd['2.weight'].requires_grad, type(sd['2.weight']))\n"
     "print(model.state_dict(keep_vars=True)['2.bias'])"),
    ("state_dict_print", _LIN + "print(lin.state_dict())"),
    ("load_state_dict_roundtrip",
     _SEQ + "other = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))\n"
     "print(other.load_state_dict(model.state_dict()))\nprint(other[2].weight)\n"
     "print(torch.equal(other(x), model(x)))"),
    ("load_state_dict_missing_and_unexpected_error",
     _SEQ + "model.load_state_dict({'0.weight': torch.zeros(3, 2), 'extra': torch.ones(1)})"),
    ("load_state_dict_size_mismatch_error",
     _SEQ + "sd = model.state_dict()\nsd['0.bias'] = torch.zeros(4)\nmodel.load_state_dict(sd)"),
    ("load_state_dict_non_strict",
     _SEQ + "r = model.load_state_dict({'0.bias': torch.ones(3), 'extra': torch.ones(1)}, "
     "strict=False)\nprint(r)\nprint(r.missing_keys, r.unexpected_keys)\nprint(model[0].bias)"),
    # -- gradients, modes, dtypes -------------------------------------------------------------
    ("zero_grad_sets_grads_to_none",
     _SEQ + "model(x).sum().backward()\nprint(model[0].bias.grad)\nmodel.zero_grad()\n"
     "print([p.grad for p in model.parameters()])"),
    ("zero_grad_set_to_none_false",
     _SEQ + "model(x).sum().backward()\nmodel.zero_grad(set_to_none=False)\n"
     "print(model[0].weight.grad)\nprint(model[2].bias.grad)"),
    ("grads_accumulate_without_zero_grad",
     _SEQ + "for _ in range(3):\n    model(x).sum().backward()\n    print(model[2].bias.grad)"),
    ("backward_twice_error",
     _SEQ + "loss = model(x).pow(2).mean()\nloss.backward()\nloss.backward()"),
    ("requires_grad_false_freezes_layer",
     _SEQ + "model[0].requires_grad_(False)\nprint([p.requires_grad for p in model.parameters()])\n"
     "model(x).sum().backward()\nprint(model[0].weight.grad, model[2].weight.grad)"),
    ("forward_under_no_grad",
     _SEQ + "with torch.no_grad():\n    y = model(x)\nprint(y)\nprint(y.requires_grad, y.grad_fn)"),
    ("train_eval_flags",
     _SEQ + "print(model.training, [m.training for m in model])\nprint(model.eval() is model)\n"
     "print(model.training, [m.training for m in model])\nmodel.train()\n"
     "print(model.training, model[1].training)\nmodel.train(False)\nprint(model.training)"),
    ("train_mode_must_be_bool", _SEQ + "model.train('yes')"),
    ("double_and_float",
     _SEQ + "model.double()\nprint(model[0].weight.dtype, model[2].bias.dtype)\n"
     "print(model(x.double()))\nmodel.float()\nprint(model[0].weight.dtype)\n"
     "print(model.to(torch.float64)[0].bias)"),
    ("to_integer_dtype_error", _SEQ + "model.to(torch.int64)"),
    ("to_device_cpu", _SEQ + "print(model.to('cpu') is model, model.cpu() is model)"),
    ("deepcopy_model_is_independent",
     "import copy\n" + _SEQ + "clone = copy.deepcopy(model)\nwith torch.no_grad():\n"
     "    clone[0].bias.fill_(9.)\nprint(model[0].bias)\nprint(clone[0].bias)\n"
     "print(type(clone[0].weight).__name__)"),
    ("apply_visits_children_first",
     _SEQ + "names = []\nmodel.apply(lambda m: names.append(type(m).__name__))\nprint(names)"),
    # -- layers ------------------------------------------------------------------------------
    ("activation_modules_values_and_grad_fns",
     "import torch.nn as nn\nx = torch.tensor([-2., -0.5, 0., 1.5], requires_grad=True)\n"
     "for layer in (nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.LeakyReLU(0.1)):\n"
     "    y = layer(x)\n    print(layer, y, y.grad_fn.name())\n"
     "(nn.ReLU()(x) * torch.tensor([1., 2., 3., 4.])).sum().backward()\nprint(x.grad)"),
    ("activation_reprs",
     "import torch.nn as nn\nprint(nn.ReLU(), nn.ReLU(inplace=True), nn.LeakyReLU(), "
     "nn.LeakyReLU(0.2, True))\nprint(nn.Softmax(dim=1), nn.LogSoftmax(-1), nn.Softmax(), "
     "nn.Sigmoid(), nn.Tanh())"),
    ("relu_module_inplace",
     "import torch.nn as nn\nx = torch.tensor([-1., 2.])\ny = nn.ReLU(inplace=True)(x)\n"
     "print(x, y is x)"),
    ("softmax_and_log_softmax_modules",
     "import torch.nn as nn\nx = torch.tensor([[1., 2., 3.], [1., 1., 1.]], requires_grad=True)\n"
     "p = nn.Softmax(dim=1)(x)\nprint(p, p.grad_fn.name())\nlp = nn.LogSoftmax(dim=1)(x)\n"
     "print(lp, lp.grad_fn.name())\n(lp * torch.tensor([[1., 0., 0.], [0., 0., 1.]])).sum()"
     ".backward()\nprint(x.grad)"),
    ("softmax_module_without_dim_warns",
     "import torch.nn as nn\nprint(nn.Softmax()(torch.tensor([[1., 2.], [3., 3.]])))"),
    ("flatten_and_identity",
     "import torch.nn as nn\nx = torch.arange(24.).reshape(2, 3, 4)\nprint(nn.Flatten())\n"
     "print(nn.Flatten()(x).shape, nn.Flatten(0, 1)(x).shape, nn.Flatten(start_dim=0)(x).shape)\n"
     "print(nn.Identity(), nn.Identity(5, k=1)(x) is x)"),
    ("dropout_repr_and_eval_identity",
     "import torch.nn as nn\nd = nn.Dropout(0.3)\nprint(d, nn.Dropout(), d.training)\n"
     "x = torch.ones(2, 3, requires_grad=True)\nd.eval()\ny = d(x)\nprint(y is x, d.training)"),
    ("dropout_p0_in_training",
     "import torch.nn as nn\nx = torch.tensor([1., 2., 3.], requires_grad=True)\n"
     "y = nn.Dropout(p=0.0)(x)\nprint(y, y is x)"),
    ("dropout_training_shapes_and_scaled_values",
     "import torch.nn as nn\ntorch.manual_seed(0)\ny = nn.Dropout(0.5)(torch.ones(4, 5))\n"
     "print(y.shape, bool(((y == 0) | (y == 2)).all()))"),
    ("dropout_in_model_train_vs_eval",
     "import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))\n"
     "with torch.no_grad():\n    model[0].weight.copy_(torch.eye(2))\n    model[0].bias.zero_()\n"
     "model.eval()\nprint(model(torch.tensor([[1., 2.]])))\nprint(model[1].training)"),
    ("dropout_probability_error", "import torch.nn as nn\nnn.Dropout(1.5)"),
    # -- losses ------------------------------------------------------------------------------
    ("loss_module_reprs",
     "import torch.nn as nn\nprint(nn.MSELoss(), nn.CrossEntropyLoss(), nn.NLLLoss(), "
     "nn.L1Loss(), nn.BCELoss(), nn.BCEWithLogitsLoss(), nn.MSELoss(reduction='sum'))\n"
     "print(nn.MSELoss().reduction, nn.L1Loss(reduction='none').reduction)"),
    ("mse_loss_module_reductions",
     "import torch.nn as nn\npred = torch.tensor([[0.5, 1.5], [2., -1.]], requires_grad=True)\n"
     "t = torch.tensor([[1., 1.], [1., 1.]])\nfor r in ('mean', 'sum', 'none'):\n"
     "    loss = nn.MSELoss(reduction=r)(pred, t)\n    print(loss, loss.grad_fn.name())\n"
     "nn.MSELoss()(pred, t).backward()\nprint(pred.grad)"),
    ("cross_entropy_module",
     "import torch.nn as nn\nlogits = torch.tensor([[2., 1., 0.1], [0.5, 2.5, 0.3]], "
     "requires_grad=True)\nloss_fn = nn.CrossEntropyLoss()\nloss = loss_fn(logits, "
     "torch.tensor([0, 1]))\nprint(loss, loss.grad_fn.name())\nloss.backward()\n"
     "print(logits.grad)\nprint(nn.CrossEntropyLoss(reduction='sum')(logits, "
     "torch.tensor([2, 2])))"),
    ("cross_entropy_module_class_weights",
     "import torch.nn as nn\nloss_fn = nn.CrossEntropyLoss(weight=torch.tensor([1., 2., 0.5]))\n"
     "print(loss_fn(torch.tensor([[2., 1., 0.], [0., 1., 2.]]), torch.tensor([0, 1])))\n"
     "print(loss_fn.state_dict())"),
    ("nll_loss_module_after_log_softmax",
     "import torch.nn as nn\nx = torch.tensor([[1., 2., 3.], [3., 2., 1.]], requires_grad=True)\n"
     "logp = nn.LogSoftmax(dim=1)(x)\nloss = nn.NLLLoss()(logp, torch.tensor([2, 0]))\n"
     "print(loss, loss.grad_fn.name())\nloss.backward()\nprint(x.grad)"),
    ("l1_loss_module",
     "import torch.nn as nn\npred = torch.tensor([1., -2., 0.5], requires_grad=True)\n"
     "loss = nn.L1Loss()(pred, torch.tensor([0., 0., 1.]))\nprint(loss, loss.grad_fn.name())\n"
     "loss.backward()\nprint(pred.grad)\n"
     "print(nn.L1Loss(reduction='none')(pred, torch.zeros(3)))"),
    ("bce_loss_module",
     "import torch.nn as nn\np = torch.tensor([0.25, 0.5, 0.75], requires_grad=True)\n"
     "loss = nn.BCELoss()(p, torch.tensor([0., 1., 1.]))\nprint(loss, loss.grad_fn.name())\n"
     "loss.backward()\nprint(p.grad)"),
    ("bce_with_logits_loss_module",
     "import torch.nn as nn\nz = torch.tensor([-1., 0., 2.], requires_grad=True)\n"
     "loss = nn.BCEWithLogitsLoss()(z, torch.tensor([0., 1., 1.]))\n"
     "print(loss, loss.grad_fn.name())\nloss.backward()\nprint(z.grad)\n"
     "print(nn.BCEWithLogitsLoss(reduction='none')(z, torch.tensor([0., 1., 1.])))"),
    ("loss_legacy_size_average_warns",
     "import torch.nn as nn\nloss_fn = nn.MSELoss(size_average=False)\nprint(loss_fn.reduction)\n"
     "print(loss_fn(torch.tensor([1., 2.]), torch.zeros(2)))"),
    ("loss_bad_reduction_error",
     "import torch.nn as nn\nnn.MSELoss(reduction='avg')(torch.ones(2), torch.zeros(2))"),
    ("model_and_loss_end_to_end",
     _SEQ + "loss_fn = nn.MSELoss()\ny = torch.tensor([[1.], [0.], [2.]])\n"
     "loss = loss_fn(model(x), y)\nprint(loss.item())\nloss.backward()\n"
     "print(model[2].weight.grad)"),
    # -- nn.init -----------------------------------------------------------------------------
    ("init_constant_fills_return_the_tensor",
     "import torch.nn as nn\nw = torch.empty(2, 3)\nr = nn.init.zeros_(w)\nprint(r is w, w)\n"
     "print(nn.init.ones_(w))\nprint(nn.init.constant_(w, 0.5))\nprint(w._version)"),
    ("init_on_parameters_under_no_grad",
     "import torch.nn as nn\nimport torch.nn.init as init\nlin = nn.Linear(2, 2)\n"
     "init.constant_(lin.weight, 0.25)\ninit.zeros_(lin.bias)\nprint(lin.weight)\n"
     "print(lin.bias)\nprint(lin.weight.is_leaf, lin.weight.grad_fn)"),
    ("init_random_fills_respect_bounds",
     "import math\nfrom torch.nn import init\ntorch.manual_seed(0)\nw = torch.empty(30, 20)\n"
     "init.uniform_(w, -0.1, 0.2)\nprint(bool((w >= -0.1).all() and (w <= 0.2).all()))\n"
     "a = math.sqrt(6 / (30 + 20))\ninit.xavier_uniform_(w)\nprint(bool((w.abs() <= a).all()))\n"
     "init.kaiming_uniform_(w, a=math.sqrt(5))\nprint(bool((w.abs() <= 1 / math.sqrt(20)).all()))\n"
     "print(init.normal_(w, 0., 0.01).shape, init.xavier_normal_(w).shape, "
     "init.kaiming_normal_(w).shape)"),
    ("init_calculate_gain",
     "import torch.nn as nn\nfor f in ('linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', "
     "'selu'):\n    print(f, nn.init.calculate_gain(f))\n"
     "print(nn.init.calculate_gain('leaky_relu', 0.2))"),
    ("init_calculate_gain_error",
     "import torch.nn as nn\nnn.init.calculate_gain('swish')"),
    ("init_fan_of_1d_tensor_error",
     "import torch.nn as nn\nnn.init.xavier_uniform_(torch.empty(3))"),
    ("init_bad_mode_error",
     "import torch.nn as nn\nnn.init.kaiming_uniform_(torch.empty(3, 2), mode='fan')"),
    # -- imports -----------------------------------------------------------------------------
    ("import_styles",
     "import torch.nn as nn\nfrom torch import nn as nn2, optim\nimport torch.optim as optim2\n"
     "from torch.nn import functional as F2\nimport torch.nn.init as init\n"
     "from torch.nn import Linear, init as init2\n"
     "print(nn is nn2, optim is optim2, F2 is F, init is init2, Linear is nn.Linear)\n"
     "print(nn.Module, nn.Parameter, optim.SGD, optim.Adam)\n"
     "print(torch.nn.modules.linear.Linear is Linear)"),
]
