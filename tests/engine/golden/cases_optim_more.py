"""torch.optim beyond SGD and Adam: RMSprop, Adagrad, AdamW, Adadelta and Adamax, step by step
with torch 2.13's CPU arithmetic; their reprs, state, state_dict/load_state_dict,
add_param_group and errors. Weights start from explicit values, never from random init.

RMSprop, Adagrad, Adadelta and AdamW divide by a square root, which torch computes with MKL
(not correctly rounded: see ``optim/_functional.sqrt``), so their losses are printed as
tensors (4 digits); Adamax has no root and prints ``loss.item()`` to the last digit."""

TOPIC = "optim_more"

# A tiny net with known weights (hidden layer of 3) and a fixed batch (as in cases_optim).
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

_W = "import torch.nn as nn\nw = nn.Parameter(torch.tensor([1., -2., 0.5]))\n"


def _train(make_opt: str, steps: int = 5, loss: str = "loss") -> str:
    """A training loop printing the loss as the optimizer goes, then two parameters."""
    return (
        _NET + f"opt = {make_opt}\n"
        f"for step in range({steps}):\n"
        "    opt.zero_grad()\n"
        "    loss = ((model(X) - Y) ** 2).mean()\n"
        "    loss.backward()\n"
        "    opt.step()\n"
        f"    print(step, {loss})\n"
        "print(model[0].bias)\nprint(model[2].weight)"
    )


def _repr(name: str, options: str = "") -> tuple[str, str]:
    return (f"{name.lower()}_repr",
            _NET + f"print(optim.{name}(model.parameters()))\n"
            f"print(optim.{name}(model.parameters(){options}))")


_ONE = "[torch.ones(1, requires_grad=True)]"

CASES = [
    # -- reprs ------------------------------------------------------------------------------
    _repr("RMSprop", ", lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.9, "
          "centered=True"),
    _repr("Adagrad", ", lr=0.1, lr_decay=0.01, weight_decay=1e-4, "
          "initial_accumulator_value=0.1"),
    _repr("AdamW", ", lr=3e-4, betas=(0.9, 0.95), weight_decay=0.1, amsgrad=True"),
    _repr("Adadelta", ", lr=0.5, rho=0.95, eps=1e-5, weight_decay=0.01"),
    _repr("Adamax", ", lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, maximize=True"),
    ("foreach_and_fused_flags_in_the_repr",
     _NET + "print(optim.AdamW(model.parameters(), foreach=True))\n"
     "print(optim.Adagrad(model.parameters(), fused=True))\n"
     "print(optim.RMSprop(model.parameters(), foreach=False).defaults)"),
    # -- one step by hand ---------------------------------------------------------------------
    ("rmsprop_one_step_by_hand",
     _W + "opt = torch.optim.RMSprop([w], lr=0.01)\n(w ** 2).sum().backward()\nopt.step()\n"
     "print(w)\nprint(opt.state[w])\nprint(w._version)"),
    ("adagrad_one_step_by_hand",
     _W + "opt = torch.optim.Adagrad([w], lr=0.1)\nprint(opt.state[w])\n"
     "(w ** 2).sum().backward()\nopt.step()\nprint(w)\nprint(opt.state[w])"),
    ("adamw_one_step_by_hand",
     _W + "opt = torch.optim.AdamW([w], lr=0.1)\n(w ** 2).sum().backward()\nopt.step()\n"
     "print(w)\nprint(opt.state[w])\nprint(w._version)"),
    ("adadelta_one_step_by_hand",
     _W + "opt = torch.optim.Adadelta([w])\n(w ** 2).sum().backward()\nopt.step()\nprint(w)\n"
     "print(opt.state[w])\nprint(w._version)"),
    ("adamax_one_step_by_hand",
     _W + "opt = torch.optim.Adamax([w], lr=0.1)\n(w ** 2).sum().backward()\nopt.step()\n"
     "print(w.tolist())\nprint(opt.state[w])\nprint(w._version)"),
    # -- training loops ---------------------------------------------------------------------
    ("rmsprop_training", _train("optim.RMSprop(model.parameters(), lr=0.01)")),
    ("rmsprop_momentum_training",
     _train("optim.RMSprop(model.parameters(), lr=0.01, momentum=0.9)", steps=6)),
    ("rmsprop_centered_weight_decay_training",
     _train("optim.RMSprop(model.parameters(), lr=0.01, centered=True, weight_decay=0.01)")),
    ("rmsprop_centered_momentum_alpha_training",
     _train("optim.RMSprop(model.parameters(), lr=0.005, alpha=0.9, centered=True, "
            "momentum=0.5)")),
    ("adagrad_training", _train("optim.Adagrad(model.parameters(), lr=0.1)")),
    ("adagrad_lr_decay_accumulator_training",
     _train("optim.Adagrad(model.parameters(), lr=0.1, lr_decay=0.1, "
            "initial_accumulator_value=0.5, weight_decay=0.01)")),
    ("adamw_training", _train("optim.AdamW(model.parameters(), lr=0.05)", steps=6)),
    ("adamw_weight_decay_amsgrad_training",
     _train("optim.AdamW(model.parameters(), lr=0.05, weight_decay=0.5, amsgrad=True)")),
    ("adadelta_training", _train("optim.Adadelta(model.parameters())")),
    ("adadelta_rho_lr_weight_decay_training",
     _train("optim.Adadelta(model.parameters(), lr=0.5, rho=0.5, weight_decay=0.1)")),
    ("adamax_training_loss_items",
     _train("optim.Adamax(model.parameters(), lr=0.05)", steps=6, loss="loss.item()")),
    ("adamax_betas_weight_decay_training_loss_items",
     _train("optim.Adamax(model.parameters(), lr=0.1, betas=(0.5, 0.9), weight_decay=0.1)",
            loss="loss.item()")),
    ("maximize_climbs_for_every_optimizer",
     "import torch.nn as nn\n"
     "for name in ['RMSprop', 'Adagrad', 'AdamW', 'Adadelta', 'Adamax']:\n"
     "    w = nn.Parameter(torch.tensor([1., 2.]))\n"
     "    opt = getattr(torch.optim, name)([w], lr=0.5, maximize=True)\n"
     "    for _ in range(3):\n        opt.zero_grad()\n        (w * w).sum().backward()\n"
     "        opt.step()\n    print(name, w)"),
    ("float64_parameters",
     _NET + "model.double()\n"
     "for name in ['RMSprop', 'Adagrad', 'AdamW', 'Adadelta', 'Adamax']:\n"
     "    opt = getattr(optim, name)(model.parameters(), lr=0.01)\n"
     "    opt.zero_grad()\n    ((model(X.double()) - Y.double()) ** 2).mean().backward()\n"
     "    opt.step()\n    print(name, opt.state[model[2].bias]['step'])\nprint(model[2].bias)"),
    ("skips_parameters_without_grad",
     _NET + "opt = optim.RMSprop(model.parameters(), lr=0.1)\n"
     "model[2](torch.ones(1, 3)).sum().backward()\nopt.step()\n"
     "print(len(opt.state), [p._version for p in model.parameters()])\n"
     "opt = optim.Adagrad(model.parameters())\nprint(len(opt.state))"),
    ("adamw_is_adam_with_decoupled_weight_decay",
     _W + "a = torch.optim.AdamW([w])\nprint(isinstance(a, torch.optim.Adam))\n"
     "print(a.defaults['weight_decay'], a.defaults['decoupled_weight_decay'])\n"
     "w2 = nn.Parameter(torch.tensor([1., -2., 0.5]))\n"
     "b = torch.optim.Adam([w2], weight_decay=0.01, decoupled_weight_decay=True)\n"
     "for o, p in ((a, w), (b, w2)):\n    (p ** 2).sum().backward()\n    o.step()\n"
     "print(torch.equal(w, w2))"),
    # -- state_dict and groups -----------------------------------------------------------------
    ("rmsprop_state_dict_centered_momentum",
     _W + "opt = torch.optim.RMSprop([w], lr=0.01, momentum=0.9, centered=True)\n"
     "for _ in range(2):\n    opt.zero_grad()\n    (w ** 2).sum().backward()\n"
     "    opt.step()\nsd = opt.state_dict()\nprint(sorted(sd['state'][0]))\n"
     "print(sd['state'][0]['step'], sd['param_groups'])"),
    ("adagrad_state_dict_before_any_step",
     _W + "opt = torch.optim.Adagrad([w], initial_accumulator_value=0.25)\n"
     "print(opt.state_dict())"),
    ("adamax_state_dict", _W + "opt = torch.optim.Adamax([w])\nfor _ in range(2):\n"
     "    opt.zero_grad()\n    (w ** 2).sum().backward()\n    opt.step()\n"
     "print(opt.state_dict())"),
    ("load_state_dict_continues_training_exactly",
     _NET + "opt = optim.Adamax(model.parameters(), lr=0.05)\n"
     "def step(o):\n    o.zero_grad()\n    loss = ((model(X) - Y) ** 2).mean()\n"
     "    loss.backward()\n    o.step()\n    return loss.item()\n"
     "for _ in range(2):\n    step(opt)\nsaved = opt.state_dict()\n"
     "opt2 = optim.Adamax(model.parameters(), lr=0.5)\nopt2.load_state_dict(saved)\n"
     "print(opt2.param_groups[0]['lr'], opt2.state[model[2].bias]['step'])\n"
     "print(step(opt2), step(opt2))"),
    ("adamw_load_state_dict_stays_decoupled",
     _W + "opt = torch.optim.Adam([w])\nsd = opt.state_dict()\n"
     "opt2 = torch.optim.AdamW([w])\nopt2.load_state_dict(sd)\n"
     "print(opt2.param_groups[0]['decoupled_weight_decay'], "
     "opt2.param_groups[0]['weight_decay'])"),
    ("add_param_group_takes_the_defaults",
     _NET + "opt = optim.RMSprop(model[0].parameters(), lr=0.01, momentum=0.5)\n"
     "opt.add_param_group({'params': model[2].parameters(), 'centered': True})\n"
     "print([(g['lr'], g['momentum'], g['centered']) for g in opt.param_groups])\n"
     "opt.zero_grad()\n((model(X) - Y) ** 2).mean().backward()\nopt.step()\n"
     "print(sorted(opt.state[model[2].bias]), sorted(opt.state[model[0].bias]))"),
    ("adagrad_add_param_group_creates_state_at_its_first_step",
     _NET + "opt = optim.Adagrad(model[0].parameters(), initial_accumulator_value=0.1)\n"
     "opt.add_param_group({'params': model[2].parameters(), "
     "'initial_accumulator_value': 5.0})\n"
     "print(len(opt.state))\n((model(X) - Y) ** 2).mean().backward()\nopt.step()\n"
     "print(opt.state[model[2].bias])"),
    ("per_layer_learning_rates",
     _NET + "opt = optim.AdamW([{'params': model[0].parameters(), 'weight_decay': 0.0}, "
     "{'params': model[2].parameters()}], lr=0.01)\nprint(opt)"),
    ("lr_as_a_tensor",
     _W + "opt = torch.optim.RMSprop([w], lr=torch.tensor(0.01))\n"
     "(w ** 2).sum().backward()\nopt.step()\nprint(w)\nprint(opt.param_groups[0]['lr'])"),
    # -- errors ------------------------------------------------------------------------------
    ("rmsprop_bad_alpha_error", f"torch.optim.RMSprop({_ONE}, alpha=-0.1)"),
    ("rmsprop_bad_momentum_error", f"torch.optim.RMSprop({_ONE}, momentum=-0.9)"),
    ("rmsprop_negative_lr_error", f"torch.optim.RMSprop({_ONE}, lr=-1)"),
    ("adagrad_bad_lr_decay_error", f"torch.optim.Adagrad({_ONE}, lr_decay=-1)"),
    ("adagrad_bad_accumulator_error",
     f"torch.optim.Adagrad({_ONE}, initial_accumulator_value=-1)"),
    ("adagrad_fused_and_foreach_error", f"torch.optim.Adagrad({_ONE}, fused=True, foreach=True)"),
    ("adamw_fused_and_differentiable_error",
     f"torch.optim.AdamW({_ONE}, fused=True, differentiable=True)"),
    ("adamw_bad_beta_error", f"torch.optim.AdamW({_ONE}, betas=(0.9, 1.0))"),
    ("adamw_bad_weight_decay_error", f"torch.optim.AdamW({_ONE}, weight_decay=-0.01)"),
    ("adadelta_bad_rho_error", f"torch.optim.Adadelta({_ONE}, rho=1.5)"),
    ("adadelta_bad_eps_error", f"torch.optim.Adadelta({_ONE}, eps=-1e-6)"),
    ("adamax_bad_beta_error", f"torch.optim.Adamax({_ONE}, betas=(-0.1, 0.999))"),
    ("rmsprop_has_no_fused_error", f"torch.optim.RMSprop({_ONE}, fused=True)"),
    ("adamax_positional_foreach_error", f"torch.optim.Adamax({_ONE}, 0.1, (0.9, 0.99), 1e-8, "
     "0, None, True)"),
    ("tensor_lr_with_many_elements_error", f"torch.optim.Adagrad({_ONE}, lr=torch.ones(2))"),
    ("empty_parameter_list_error", "torch.optim.AdamW([])"),
]
