"""torch.optim: SGD (momentum, dampening, weight decay, Nesterov) and Adam step by step, with
the printed parameters and loss.item() of torch 2.13's CPU kernels; zero_grad, param_groups,
state, reprs and errors. Weights start from explicit values, never from random init."""

TOPIC = "optim"

# y = 2 x + 1 with a Linear(1, 1) starting at w = 0, b = 0: the first tutorial loop.
_LINREG = (
    "import torch.nn as nn\nimport torch.optim as optim\n"
    "X = torch.tensor([[1.], [2.], [3.], [4.]])\nY = 2 * X + 1\n"
    "model = nn.Linear(1, 1)\nwith torch.no_grad():\n    model.weight.zero_()\n"
    "    model.bias.zero_()\nloss_fn = nn.MSELoss()\n"
)

# A tiny net with known weights (hidden layer of 3) and a fixed batch.
_NET = (
    "import torch.nn as nn\nfrom torch import optim\n"
    "model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))\n"
    "with torch.no_grad():\n"
    "    model[0].weight.copy_(torch.tensor([[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0]]))\n"
    "    model[0].bias.copy_(torch.tensor([0.1, -0.2, 0.0]))\n"
    "    model[2].weight.copy_(torch.tensor([[1.0, -0.5, 0.25]]))\n"
    "    model[2].bias.fill_(0.5)\n"
    "X = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.0, 1.0], [2.0, -1.0]])\n"
    "Y = torch.tensor([[1.0], [0.0], [2.0], [-1.0]])\n"
)


def _train(make_opt: str, steps: int = 5, every: int = 1, show: str = "model[0].bias",
           loss: str = "loss.item()") -> str:
    """A training loop printing the loss and one parameter as the optimizer goes."""
    return (
        _NET + f"opt = {make_opt}\n"
        f"for step in range({steps}):\n"
        "    opt.zero_grad()\n"
        "    loss = ((model(X) - Y) ** 2).mean()\n"
        "    loss.backward()\n"
        "    opt.step()\n"
        f"    if step % {every} == 0:\n"
        f"        print(step, {loss})\n"
        f"print({show})\nprint(model[2].weight)"
    )


# Adam divides by sqrt(v): torch's float32 sqrt on CPU (MKL's) is not correctly rounded on
# every machine, so Adam's losses are printed as tensors (4 digits), as a learner prints them.
_ADAM_LOSS = "loss"


CASES = [
    # -- reprs and groups --------------------------------------------------------------------
    ("sgd_repr_defaults",
     _NET + "print(optim.SGD(model.parameters()))\nprint(optim.SGD(model.parameters(), lr=0.1))"),
    ("sgd_repr_momentum_nesterov_weight_decay",
     _NET + "print(optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, "
     "weight_decay=1e-4))"),
    ("adam_repr",
     _NET + "print(optim.Adam(model.parameters()))\n"
     "print(optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.99), eps=1e-6, "
     "weight_decay=0.1, amsgrad=True))"),
    ("param_groups_and_defaults",
     _NET + "opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n"
     "print(len(opt.param_groups), len(opt.param_groups[0]['params']))\n"
     "print(sorted(k for k in opt.param_groups[0] if k != 'params'))\nprint(opt.defaults)\n"
     "print(opt.param_groups[0]['params'][0] is model[0].weight)\n"
     "opt.param_groups[0]['lr'] = 0.01\nprint(opt)"),
    ("per_layer_learning_rates",
     _NET + "opt = optim.SGD([{'params': model[0].parameters()}, "
     "{'params': model[2].parameters(), 'lr': 0.01}], lr=0.1)\nprint(opt)\n"
     "loss = ((model(X) - Y) ** 2).mean()\nloss.backward()\nopt.step()\nprint(model[0].bias)\n"
     "print(model[2].bias)"),
    ("add_param_group",
     _NET + "opt = optim.SGD(model[0].parameters(), lr=0.1)\n"
     "opt.add_param_group({'params': model[2].parameters(), 'momentum': 0.5})\n"
     "print([g['momentum'] for g in opt.param_groups], [g['lr'] for g in opt.param_groups])"),
    # -- SGD ---------------------------------------------------------------------------------
    ("sgd_one_step_by_hand",
     "import torch.nn as nn\nimport torch.optim as optim\n"
     "w = nn.Parameter(torch.tensor([1., -2.]))\n"
     "opt = optim.SGD([w], lr=0.1)\nloss = (w ** 2).sum()\nloss.backward()\nprint(w.grad)\n"
     "opt.step()\nprint(w)\nprint(w.grad, w._version, w.is_leaf)"),
    ("sgd_linear_regression_loss_items",
     _LINREG + "opt = optim.SGD(model.parameters(), lr=0.05)\nfor epoch in range(40):\n"
     "    opt.zero_grad()\n    loss = loss_fn(model(X), Y)\n    loss.backward()\n"
     "    opt.step()\n    if epoch % 10 == 0:\n        print(epoch, loss.item())\n"
     "print(model.weight, model.bias)\nprint(model.weight.item(), model.bias.item())"),
    ("sgd_net_training", _train("optim.SGD(model.parameters(), lr=0.1)")),
    ("sgd_momentum_training",
     _train("optim.SGD(model.parameters(), lr=0.05, momentum=0.9)", steps=8, every=2)),
    ("sgd_nesterov_training",
     _train("optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)", steps=6)),
    ("sgd_dampening_weight_decay_training",
     _train("optim.SGD(model.parameters(), lr=0.1, momentum=0.5, dampening=0.25, "
            "weight_decay=0.01)", steps=6)),
    ("sgd_maximize",
     "import torch.nn as nn\nw = nn.Parameter(torch.tensor([1., 2.]))\n"
     "opt = torch.optim.SGD([w], lr=0.5, maximize=True)\n(w * w).sum().backward()\nopt.step()\n"
     "print(w)"),
    ("sgd_momentum_buffer_state",
     "import torch.nn as nn\nw = nn.Parameter(torch.tensor([1., -2.]))\n"
     "opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)\nfor _ in range(2):\n"
     "    opt.zero_grad()\n    (w ** 2).sum().backward()\n    opt.step()\n"
     "    print(opt.state[w]['momentum_buffer'], w)\nprint(opt.state_dict())"),
    ("sgd_skips_params_without_grad",
     _NET + "opt = optim.SGD(model.parameters(), lr=0.1)\nmodel[2](torch.ones(1, 3)).sum()"
     ".backward()\nopt.step()\nprint(model[0].bias, model[0].bias.grad)\nprint(model[2].bias)\n"
     "print([p._version for p in model.parameters()])"),
    ("sgd_closure",
     _NET + "opt = optim.SGD(model.parameters(), lr=0.1)\ndef closure():\n"
     "    opt.zero_grad()\n    loss = ((model(X) - Y) ** 2).mean()\n    loss.backward()\n"
     "    return loss\nfor _ in range(3):\n    print(opt.step(closure).item())"),
    ("sgd_float64_model",
     _NET + "model.double()\nopt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n"
     "for step in range(4):\n    opt.zero_grad()\n"
     "    loss = ((model(X.double()) - Y.double()) ** 2).mean()\n    loss.backward()\n"
     "    opt.step()\n    print(step, loss.item())\nprint(model[2].weight)"),
    # -- Adam --------------------------------------------------------------------------------
    ("adam_one_step_by_hand",
     "import torch.nn as nn\nw = nn.Parameter(torch.tensor([1., -2., 0.5]))\n"
     "opt = torch.optim.Adam([w], lr=0.1)\n(w ** 2).sum().backward()\nopt.step()\nprint(w)\n"
     "print(opt.state[w])\nprint(w._version)"),
    ("adam_few_steps_loss_items",
     "import torch.nn as nn\nw = nn.Parameter(torch.tensor([1., -2., 0.5]))\n"
     "opt = torch.optim.Adam([w], lr=0.1)\nfor step in range(4):\n    opt.zero_grad()\n"
     "    loss = ((w - torch.tensor([0.5, 0.5, 0.5])) ** 2).sum()\n    loss.backward()\n"
     "    opt.step()\n    print(step, loss.item(), w.tolist())"),
    ("adam_net_training",
     _train("optim.Adam(model.parameters(), lr=0.05)", steps=6, loss=_ADAM_LOSS)),
    ("adam_betas_eps_training",
     _train("optim.Adam(model.parameters(), lr=0.1, betas=(0.8, 0.99), eps=1e-6)", steps=5,
            loss=_ADAM_LOSS)),
    ("adam_weight_decay_training",
     _train("optim.Adam(model.parameters(), lr=0.05, weight_decay=0.1)", steps=5,
            loss=_ADAM_LOSS)),
    ("adam_amsgrad_training",
     _train("optim.Adam(model.parameters(), lr=0.05, amsgrad=True)", steps=5,
            loss=_ADAM_LOSS)),
    ("adam_linear_regression_losses",
     _LINREG + "opt = optim.Adam(model.parameters(), lr=0.1)\nfor epoch in range(30):\n"
     "    opt.zero_grad()\n    loss = loss_fn(model(X), Y)\n    loss.backward()\n"
     "    opt.step()\n    if epoch % 10 == 0:\n        print(epoch, loss)\n"
     "print(model.weight, model.bias)"),
    ("adam_state_dict",
     "import torch.nn as nn\nw = nn.Parameter(torch.tensor([1., -2.]))\n"
     "opt = torch.optim.Adam([w], lr=0.1)\nfor _ in range(2):\n    opt.zero_grad()\n"
     "    (w ** 2).sum().backward()\n    opt.step()\nprint(opt.state_dict())"),
    ("optimizer_load_state_dict",
     "import torch.nn as nn\nw = nn.Parameter(torch.tensor([1., -2.]))\n"
     "opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)\nfor _ in range(2):\n"
     "    opt.zero_grad()\n    (w ** 2).sum().backward()\n    opt.step()\n"
     "w2 = nn.Parameter(w.detach().clone())\nopt2 = torch.optim.SGD([w2], lr=0.5)\n"
     "print(opt2.load_state_dict(opt.state_dict()))\nprint(opt2)\nprint(opt2.state[w2])\n"
     "for o, p in ((opt, w), (opt2, w2)):\n    o.zero_grad()\n    (p ** 2).sum().backward()\n"
     "    o.step()\nprint(w, w2)\n"
     "torch.optim.SGD([w, w2]).load_state_dict(opt.state_dict())"),
    # -- classic tutorial loops ---------------------------------------------------------------
    ("logistic_regression_bce_with_logits_sgd",
     "import torch.nn as nn\n"
     "X = torch.tensor([[0.5, 1.5], [1.0, 1.0], [1.5, 0.5], [3.0, 0.5], [2.0, 2.0], [0.2, 3.0]])\n"
     "y = torch.tensor([[0.], [0.], [0.], [1.], [1.], [0.]])\nmodel = nn.Linear(2, 1)\n"
     "with torch.no_grad():\n    model.weight.zero_()\n    model.bias.zero_()\n"
     "loss_fn = nn.BCEWithLogitsLoss()\nopt = torch.optim.SGD(model.parameters(), lr=0.5)\n"
     "for epoch in range(30):\n    opt.zero_grad()\n    loss = loss_fn(model(X), y)\n"
     "    loss.backward()\n    opt.step()\n    if epoch % 10 == 0:\n"
     "        print(epoch, loss.item())\nprint(model.weight)\n"
     "print(((model(X) > 0).float() == y).float().mean())"),
    ("classifier_cross_entropy_adam",
     "import torch.nn as nn\n"
     "X = torch.tensor([[1., 0.], [0., 1.], [1., 1.], [0., 0.]])\ny = torch.tensor([0, 1, 1, 0])\n"
     "model = nn.Sequential(nn.Linear(2, 2))\nwith torch.no_grad():\n"
     "    model[0].weight.copy_(torch.tensor([[0.5, -0.5], [-0.5, 0.5]]))\n"
     "    model[0].bias.zero_()\nopt = torch.optim.Adam(model.parameters(), lr=0.1)\n"
     "loss_fn = nn.CrossEntropyLoss()\nfor epoch in range(4):\n    opt.zero_grad()\n"
     "    loss = loss_fn(model(X), y)\n    loss.backward()\n    opt.step()\n"
     "    print(epoch, round(loss.item(), 4))\nprint(model(X).argmax(1))"),
    ("train_then_eval_under_no_grad",
     _NET + "opt = optim.SGD(model.parameters(), lr=0.1)\nmodel.train()\nfor _ in range(2):\n"
     "    opt.zero_grad()\n    ((model(X) - Y) ** 2).mean().backward()\n    opt.step()\n"
     "model.eval()\nwith torch.no_grad():\n    pred = model(X)\nprint(pred)\n"
     "print(pred.requires_grad, model.training)"),
    # -- zero_grad ---------------------------------------------------------------------------
    ("optimizer_zero_grad_sets_none",
     _NET + "opt = optim.SGD(model.parameters(), lr=0.1)\n((model(X) - Y) ** 2).mean().backward()\n"
     "print(model[2].bias.grad)\nopt.zero_grad()\nprint(model[2].bias.grad)\n"
     "print(all(p.grad is None for p in model.parameters()))"),
    ("optimizer_zero_grad_set_to_none_false",
     _NET + "opt = optim.SGD(model.parameters(), lr=0.1)\n((model(X) - Y) ** 2).mean().backward()\n"
     "opt.zero_grad(set_to_none=False)\nprint(model[2].weight.grad, model[2].bias.grad)"),
    ("forgetting_zero_grad_accumulates",
     _NET + "opt = optim.SGD(model.parameters(), lr=0.1)\nfor _ in range(2):\n"
     "    ((model(X) - Y) ** 2).mean().backward()\n    print(model[2].bias.grad)\n"
     "    opt.step()"),
    ("step_bumps_version_so_a_stale_graph_fails",
     "import torch.nn as nn\nw = nn.Parameter(torch.tensor([1., -2.]))\n"
     "opt = torch.optim.SGD([w], lr=0.1)\nloss = (w * w).sum()\n"
     "loss.backward(retain_graph=True)\nprint(w._version)\nopt.step()\nprint(w._version)\n"
     "loss.backward()"),
    # -- errors ------------------------------------------------------------------------------
    ("empty_parameter_list_error", "import torch.optim as optim\noptim.SGD([], lr=0.1)"),
    ("empty_parameters_of_parameterless_model_error",
     "import torch.nn as nn\ntorch.optim.Adam(nn.ReLU().parameters())"),
    ("exhausted_parameters_generator_error",
     "import torch.nn as nn\nmodel = nn.Linear(2, 1)\nparams = model.parameters()\n"
     "print(len(list(params)))\ntorch.optim.SGD(params, lr=0.1)"),
    ("tensor_instead_of_list_error",
     "torch.optim.SGD(torch.ones(2, requires_grad=True), lr=0.1)"),
    ("module_instead_of_parameters_error",
     "import torch.nn as nn\ntorch.optim.SGD(nn.Sequential(nn.Linear(2, 1)), lr=0.1)"),
    ("non_leaf_tensor_error",
     "x = torch.ones(2, requires_grad=True)\ntorch.optim.SGD([x * 2], lr=0.1)"),
    ("plain_tensor_leaves_can_be_optimized",
     "w = torch.tensor([1., 2.], requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.5)\n"
     "(w * w).sum().backward()\nopt.step()\nprint(w)"),
    ("negative_lr_error", "torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=-0.1)"),
    ("negative_momentum_error",
     "torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.1, momentum=-1)"),
    ("nesterov_without_momentum_error",
     "torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.1, nesterov=True)"),
    ("adam_bad_beta_error",
     "torch.optim.Adam([torch.ones(1, requires_grad=True)], betas=(1.0, 0.999))"),
    ("adam_bad_eps_error", "torch.optim.Adam([torch.ones(1, requires_grad=True)], eps=-1.)"),
    ("param_in_two_groups_error",
     "w = torch.ones(1, requires_grad=True)\n"
     "torch.optim.SGD([{'params': [w]}, {'params': [w]}], lr=0.1)"),
    ("params_as_set_error", "torch.optim.SGD({torch.ones(1, requires_grad=True)}, lr=0.1)"),
    ("duplicate_params_warn",
     "w = torch.ones(1, requires_grad=True)\nopt = torch.optim.SGD([w, w], lr=0.1)\n"
     "print(len(opt.param_groups[0]['params']))"),
    ("optimizer_base_step_not_implemented",
     "opt = torch.optim.Optimizer([torch.ones(1, requires_grad=True)], {'lr': 0.1})\nopt.step()"),
]
