"""torch.optim.lr_scheduler: the learning rates each scheduler sets epoch by epoch (Python
floats, printed in full), get_last_lr(), the optimizer's groups (initial_lr, momentum and
betas that OneCycleLR/CyclicLR move), state_dict(), the warnings (a scheduler stepped before
its optimizer, get_lr() called directly, step(epoch)) and errors; and the tutorial loops
(AdamW + OneCycleLR per batch, ReduceLROnPlateau on a validation loss)."""

TOPIC = "lr_scheduler"

_OPT = (
    "import torch.nn as nn\nfrom torch.optim import lr_scheduler\n"
    "w = nn.Parameter(torch.tensor([1., -2.]))\n"
)


def _lrs(make: str, epochs: int = 12, opt: str = "torch.optim.SGD([w], lr=0.1)",
         show: str = "sched.get_last_lr()") -> str:
    """Step optimizer then scheduler each epoch, printing what the learner would watch."""
    return (
        _OPT + f"opt = {opt}\nsched = {make}\nprint(sched.get_last_lr())\n"
        f"for epoch in range({epochs}):\n"
        "    opt.zero_grad()\n    (w ** 2).sum().backward()\n    opt.step()\n"
        "    sched.step()\n"
        f"    print(epoch, {show})"
    )


_NET = (
    "import torch.nn as nn\n"
    "model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))\n"
    "with torch.no_grad():\n"
    "    model[0].weight.copy_(torch.tensor([[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0]]))\n"
    "    model[0].bias.copy_(torch.tensor([0.1, -0.2, 0.0]))\n"
    "    model[2].weight.copy_(torch.tensor([[1.0, -0.5, 0.25]]))\n"
    "    model[2].bias.fill_(0.5)\n"
    "X = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.0, 1.0], [2.0, -1.0]])\n"
    "Y = torch.tensor([[1.0], [0.0], [2.0], [-1.0]])\n"
)

CASES = [
    # -- each scheduler, epoch by epoch --------------------------------------------------------
    ("step_lr", _lrs("lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)")),
    ("step_lr_default_gamma", _lrs("lr_scheduler.StepLR(opt, 4)", epochs=9)),
    ("multi_step_lr", _lrs("lr_scheduler.MultiStepLR(opt, milestones=[2, 5, 5, 8], "
                           "gamma=0.3)")),
    ("exponential_lr", _lrs("lr_scheduler.ExponentialLR(opt, gamma=0.9)")),
    ("cosine_annealing_lr",
     _lrs("lr_scheduler.CosineAnnealingLR(opt, T_max=5, eta_min=0.001)", epochs=16)),
    ("cosine_annealing_lr_with_adam",
     _lrs("lr_scheduler.CosineAnnealingLR(opt, T_max=10)", opt="torch.optim.Adam([w], lr=1e-3)")),
    ("lambda_lr", _lrs("lr_scheduler.LambdaLR(opt, lr_lambda=lambda epoch: 0.95 ** epoch)")),
    ("lambda_lr_warmup", _lrs("lr_scheduler.LambdaLR(opt, lambda e: min(1.0, (e + 1) / 5))",
                              epochs=7)),
    ("multiplicative_lr", _lrs("lr_scheduler.MultiplicativeLR(opt, lambda e: 0.95)")),
    ("linear_lr_warmup", _lrs("lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=6)",
                              epochs=8)),
    ("constant_lr", _lrs("lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=4)", epochs=6)),
    ("polynomial_lr", _lrs("lr_scheduler.PolynomialLR(opt, total_iters=8, power=2.0)")),
    ("cosine_annealing_warm_restarts",
     _lrs("lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2, eta_min=1e-4)",
          epochs=14)),
    ("cosine_annealing_warm_restarts_fractional_epochs",
     _OPT + "opt = torch.optim.SGD([w], lr=0.1)\n"
     "sched = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2)\n"
     "for i in range(6):\n    opt.step()\n    sched.step(i / 4)\n"
     "    print(sched.get_last_lr(), sched.T_cur, sched.T_i)"),
    ("cyclic_lr_triangular",
     _lrs("lr_scheduler.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4)",
          opt="torch.optim.SGD([w], lr=0.1, momentum=0.9)",
          show="sched.get_last_lr(), opt.param_groups[0]['momentum']")),
    ("cyclic_lr_triangular2",
     _lrs("lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=3, mode='triangular2')",
          opt="torch.optim.SGD([w], lr=0.1, momentum=0.9)", epochs=14)),
    ("cyclic_lr_exp_range_with_adam_betas",
     _lrs("lr_scheduler.CyclicLR(opt, 0.001, 0.01, step_size_up=3, step_size_down=5, "
          "mode='exp_range', gamma=0.9)", opt="torch.optim.Adam([w], lr=0.1)",
          show="sched.get_last_lr(), opt.param_groups[0]['betas']")),
    ("one_cycle_lr",
     _lrs("lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=12)",
          opt="torch.optim.SGD([w], lr=0.1, momentum=0.9)",
          show="sched.get_last_lr(), opt.param_groups[0]['momentum']", epochs=11)),
    ("one_cycle_lr_adamw_betas_linear",
     _lrs("lr_scheduler.OneCycleLR(opt, max_lr=0.01, epochs=3, steps_per_epoch=4, "
          "anneal_strategy='linear')", opt="torch.optim.AdamW([w])",
          show="sched.get_last_lr(), opt.param_groups[0]['betas']", epochs=11)),
    ("one_cycle_lr_three_phase_groups",
     _OPT + "v = nn.Parameter(torch.ones(2))\n"
     "opt = torch.optim.SGD([{'params': [w]}, {'params': [v]}], lr=0.1, momentum=0.9)\n"
     "sched = lr_scheduler.OneCycleLR(opt, max_lr=[0.01, 0.2], total_steps=10, "
     "three_phase=True, pct_start=0.25)\n"
     "for i in range(9):\n    opt.step()\n    sched.step()\n    print(sched.get_last_lr())\n"
     "print({k: v for k, v in opt.param_groups[1].items() if k != 'params'})"),
    ("sequential_lr_warmup_then_decay",
     _lrs("lr_scheduler.SequentialLR(opt, schedulers=[lr_scheduler.LinearLR(opt, 0.1, "
          "total_iters=3), lr_scheduler.ExponentialLR(opt, 0.8)], milestones=[3])")),
    ("chained_scheduler",
     _lrs("lr_scheduler.ChainedScheduler([lr_scheduler.ConstantLR(opt, 0.5, total_iters=3), "
          "lr_scheduler.ExponentialLR(opt, 0.9)])", epochs=6)),
    ("two_schedulers_on_one_optimizer",
     _OPT + "opt = torch.optim.SGD([w], lr=1.0)\n"
     "s1 = lr_scheduler.StepLR(opt, 2, 0.5)\ns2 = lr_scheduler.ExponentialLR(opt, 0.9)\n"
     "for i in range(5):\n    opt.step()\n    s1.step()\n    s2.step()\n"
     "    print(s1.get_last_lr(), s2.get_last_lr())"),
    ("per_group_learning_rates",
     _OPT + "v = nn.Parameter(torch.ones(2))\n"
     "opt = torch.optim.SGD([{'params': [w]}, {'params': [v], 'lr': 0.01}], lr=0.1)\n"
     "sched = lr_scheduler.LambdaLR(opt, [lambda e: 0.5 ** e, lambda e: e + 1])\n"
     "for i in range(3):\n    opt.step()\n    sched.step()\n    print(sched.get_last_lr())\n"
     "print(sched.base_lrs, [g['initial_lr'] for g in opt.param_groups])"),
    # -- ReduceLROnPlateau ---------------------------------------------------------------------
    ("reduce_lr_on_plateau",
     _OPT + "opt = torch.optim.SGD([w], lr=0.1)\n"
     "sched = lr_scheduler.ReduceLROnPlateau(opt, patience=2)\n"
     "for epoch, val in enumerate([1.0, 0.9, 0.95, 0.95, 0.95, 0.96, 0.97, 0.5, 0.6, 0.6, "
     "0.6]):\n    sched.step(val)\n"
     "    print(epoch, sched.get_last_lr(), sched.best, sched.num_bad_epochs)"),
    ("reduce_lr_on_plateau_max_abs_cooldown_min_lr",
     _OPT + "opt = torch.optim.Adam([w], lr=0.1)\n"
     "sched = lr_scheduler.ReduceLROnPlateau(opt, mode='max', factor=0.5, patience=1, "
     "cooldown=2, threshold=0.5, threshold_mode='abs', min_lr=0.02)\n"
     "for epoch, acc in enumerate([1, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2]):\n"
     "    sched.step(acc)\n    print(epoch, sched.get_last_lr(), sched.cooldown_counter)"),
    ("reduce_lr_on_plateau_tensor_metric_and_state_dict",
     _OPT + "opt = torch.optim.SGD([w], lr=0.1)\n"
     "sched = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0)\n"
     "for val in [torch.tensor(1.0), torch.tensor(2.0), torch.tensor(0.5)]:\n"
     "    sched.step(val)\nprint(sched.state_dict())\n"
     "print(isinstance(sched, lr_scheduler.LRScheduler))"),
    ("reduce_lr_on_plateau_validation_loop",
     _NET + "from torch.optim.lr_scheduler import ReduceLROnPlateau\n"
     "opt = torch.optim.SGD(model.parameters(), lr=0.5)\n"
     "sched = ReduceLROnPlateau(opt, mode='min', factor=0.5, patience=1)\n"
     "Xv, Yv = X[:2] + 0.5, Y[:2]\nfor epoch in range(8):\n    model.train()\n"
     "    opt.zero_grad()\n    loss = ((model(X) - Y) ** 2).mean()\n    loss.backward()\n"
     "    opt.step()\n    model.eval()\n    with torch.no_grad():\n"
     "        val_loss = ((model(Xv) - Yv) ** 2).mean()\n    sched.step(val_loss)\n"
     "    print(epoch, round(loss.item(), 5), round(val_loss.item(), 5), "
     "opt.param_groups[0]['lr'])"),
    # -- state, repr, get_last_lr, step(epoch) -------------------------------------------------
    ("state_dicts",
     _OPT + "opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)\n"
     "for s in [lr_scheduler.StepLR(opt, 2), lr_scheduler.MultiStepLR(opt, [2, 4]), "
     "lr_scheduler.CosineAnnealingLR(opt, 10), lr_scheduler.LambdaLR(opt, lambda e: 1.0), "
     "lr_scheduler.OneCycleLR(opt, 0.1, total_steps=10), lr_scheduler.CyclicLR(opt, 0.01, 0.1), "
     "lr_scheduler.CosineAnnealingWarmRestarts(opt, 3)]:\n"
     "    print(type(s).__name__, s.state_dict())"),
    ("scheduler_sets_initial_lr_in_the_optimizer",
     _OPT + "opt = torch.optim.SGD([w], lr=0.1)\nprint(opt)\n"
     "sched = lr_scheduler.ExponentialLR(opt, 0.5)\nprint(opt)\nopt.step()\nsched.step()\n"
     "print(opt.param_groups[0]['lr'], opt.param_groups[0]['initial_lr'])"),
    ("load_state_dict_resumes_the_schedule",
     _OPT + "opt = torch.optim.SGD([w], lr=0.1)\nsched = lr_scheduler.StepLR(opt, 2, 0.5)\n"
     "for _ in range(3):\n    opt.step()\n    sched.step()\nsaved = sched.state_dict()\n"
     "opt2 = torch.optim.SGD([w], lr=0.1)\nsched2 = lr_scheduler.StepLR(opt2, 5)\n"
     "sched2.load_state_dict(saved)\nprint(sched2.step_size, sched2.last_epoch, "
     "sched2.get_last_lr())\nopt2.load_state_dict(opt.state_dict())\nfor _ in range(3):\n"
     "    opt2.step()\n    sched2.step()\n    print(sched2.get_last_lr())"),
    ("last_epoch_resume_needs_initial_lr_error",
     _OPT + "opt = torch.optim.SGD([w], lr=0.1)\nlr_scheduler.StepLR(opt, 2, last_epoch=4)"),
    ("last_epoch_resume",
     _OPT + "opt = torch.optim.SGD([w], lr=0.1)\nlr_scheduler.StepLR(opt, 2)\n"
     "sched = lr_scheduler.StepLR(opt, 2, last_epoch=4)\nprint(sched.last_epoch, "
     "sched.get_last_lr())"),
    ("step_with_epoch_is_deprecated_and_closed_form",
     _OPT + "opt = torch.optim.SGD([w], lr=0.1)\nsched = lr_scheduler.StepLR(opt, 2, 0.5)\n"
     "opt.step()\nsched.step(5)\nprint(sched.get_last_lr(), sched.last_epoch)"),
    ("scheduler_step_before_optimizer_step_warns",
     _OPT + "opt = torch.optim.SGD([w], lr=0.1)\nsched = lr_scheduler.StepLR(opt, 1, 0.5)\n"
     "sched.step()\nopt.step()\nsched.step()\nprint(sched.get_last_lr())"),
    ("optimizer_step_replaced_after_scheduler_warns",
     _OPT + "opt = torch.optim.SGD([w], lr=0.1)\nsched = lr_scheduler.StepLR(opt, 1)\n"
     "opt.step = lambda closure=None: None\nopt.step()\nsched.step()\n"
     "print(sched.get_last_lr())"),
    ("calling_get_lr_directly_warns",
     _OPT + "opt = torch.optim.SGD([w], lr=0.1)\nsched = lr_scheduler.StepLR(opt, 1, 0.5)\n"
     "opt.step()\nsched.step()\nprint(sched.get_lr())\nprint(sched.get_last_lr())"),
    ("optimizer_step_is_wrapped_once",
     _OPT + "opt = torch.optim.SGD([w], lr=0.1)\nlr_scheduler.StepLR(opt, 1)\n"
     "step = opt.step\nlr_scheduler.ExponentialLR(opt, 0.9)\n"
     "print(opt.step is step, opt.step.__name__, hasattr(opt.step, '_wrapped_by_lr_sched'))"),
    ("checkpoint_with_torch_save",
     _OPT + "import io\nopt = torch.optim.AdamW([w], lr=0.1)\n"
     "sched = lr_scheduler.MultiStepLR(opt, milestones=[1, 2], gamma=0.5)\n"
     "opt.step()\nsched.step()\nbuf = io.BytesIO()\n"
     "torch.save({'opt': opt.state_dict(), 'sched': sched.state_dict()}, buf)\nbuf.seek(0)\n"
     "ck = torch.load(buf)\nprint(ck['sched'])\nsched2 = lr_scheduler.MultiStepLR(opt, [5])\n"
     "sched2.load_state_dict(ck['sched'])\nopt.step()\nsched2.step()\n"
     "print(sched2.get_last_lr(), sched2.milestones)"),
    # -- errors ------------------------------------------------------------------------------
    ("not_an_optimizer_error",
     _OPT + "model = nn.Linear(2, 1)\nlr_scheduler.StepLR(model, 2)"),
    ("one_cycle_stepped_too_far_error",
     _OPT + "opt = torch.optim.SGD([w], lr=0.1)\n"
     "sched = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)\nfor i in range(4):\n"
     "    opt.step()\n    sched.step()\n    print(i, sched.get_last_lr())"),
    ("one_cycle_needs_total_steps_error",
     _OPT + "lr_scheduler.OneCycleLR(torch.optim.SGD([w], lr=0.1), max_lr=0.1)"),
    ("one_cycle_bad_pct_start_error",
     _OPT + "lr_scheduler.OneCycleLR(torch.optim.SGD([w]), 0.1, total_steps=10, pct_start=1)"),
    ("one_cycle_without_momentum_error",
     _OPT + "lr_scheduler.OneCycleLR(torch.optim.Adagrad([w]), 0.1, total_steps=10)"),
    ("one_cycle_max_lr_list_length_error",
     _OPT + "lr_scheduler.OneCycleLR(torch.optim.SGD([w]), [0.1, 0.2], total_steps=10)"),
    ("lambda_lr_list_length_error",
     _OPT + "lr_scheduler.LambdaLR(torch.optim.SGD([w]), [lambda e: 1, lambda e: 2])"),
    ("multiplicative_lr_not_callable_error",
     _OPT + "lr_scheduler.MultiplicativeLR(torch.optim.SGD([w]), 0.9)"),
    ("linear_lr_bad_start_factor_error",
     _OPT + "lr_scheduler.LinearLR(torch.optim.SGD([w]), start_factor=0)"),
    ("constant_lr_bad_factor_error",
     _OPT + "lr_scheduler.ConstantLR(torch.optim.SGD([w]), factor=2)"),
    ("warm_restarts_bad_t0_error",
     _OPT + "lr_scheduler.CosineAnnealingWarmRestarts(torch.optim.SGD([w]), T_0=0)"),
    ("plateau_bad_factor_error",
     _OPT + "lr_scheduler.ReduceLROnPlateau(torch.optim.SGD([w]), factor=1.0)"),
    ("plateau_bad_mode_error",
     _OPT + "lr_scheduler.ReduceLROnPlateau(torch.optim.SGD([w]), mode='least')"),
    ("sequential_milestones_error",
     _OPT + "opt = torch.optim.SGD([w])\n"
     "lr_scheduler.SequentialLR(opt, [lr_scheduler.ConstantLR(opt)], milestones=[2])"),
    ("sequential_with_plateau_error",
     _OPT + "opt = torch.optim.SGD([w])\nlr_scheduler.SequentialLR(opt, "
     "[lr_scheduler.ConstantLR(opt), lr_scheduler.ReduceLROnPlateau(opt)], milestones=[2])"),
    ("cyclic_bad_mode_error",
     _OPT + "lr_scheduler.CyclicLR(torch.optim.SGD([w], momentum=0.9), 0.01, 0.1, "
     "mode='zigzag')"),
    # -- tutorial loops ------------------------------------------------------------------------
    ("adamw_one_cycle_training_loop",
     _NET + "from torch.optim.lr_scheduler import OneCycleLR\n"
     "loader = [(X[:2], Y[:2]), (X[2:], Y[2:])]\nepochs = 3\n"
     "opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)\n"
     "sched = OneCycleLR(opt, max_lr=0.05, epochs=epochs, steps_per_epoch=len(loader))\n"
     "for epoch in range(epochs):\n    for xb, yb in loader:\n        opt.zero_grad()\n"
     "        loss = nn.functional.mse_loss(model(xb), yb)\n        loss.backward()\n"
     "        opt.step()\n        sched.step()\n"
     "    print(epoch, loss, sched.get_last_lr(), opt.param_groups[0]['betas'][0])\n"
     "print(model[2].weight)"),
    ("sgd_step_lr_training_loop_loss_items",
     _NET + "opt = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.5)\n"
     "sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)\n"
     "for epoch in range(6):\n    opt.zero_grad()\n    loss = ((model(X) - Y) ** 2).mean()\n"
     "    loss.backward()\n    opt.step()\n    sched.step()\n"
     "    print(epoch, loss.item(), sched.get_last_lr()[0])"),
]
