"""Autograd: backward with gradient/retain_graph, accumulation, the backward errors,
autograd.grad, no_grad/enable_grad/set_grad_enabled, grad_fn names and next_functions."""

TOPIC = "autograd"

_NB = ("x = Variable(torch.ones((2)), requires_grad=True)\ny = 5 * (x + 1) ** 2\n"
       "o = (1/2) * torch.sum(y)")

# Prints a graph as names only (addresses never appear): `Name(child, child)`, AccumulateGrad
# as `Acc`, and a missing input as `None`.
_SHOW = '''
def show(fn):
    if fn is None:
        return "None"
    kids = ", ".join(f"{show(f)}:{i}" for f, i in fn.next_functions)
    return f"{fn.name()}({kids})"
'''

CASES = [
    ("backward_returns_none",
     "x = torch.ones(2, requires_grad=True)\nprint((x * 2).sum().backward())\nprint(x.grad)"),
    ("notebook_flow", _NB + "\nprint(y)\nprint(o)\no.backward()\nprint(x.grad)"),
    ("notebook_last_cell_mismatch",
     _NB + "\no.backward()\no.backward(torch.FloatTensor([1.0, 1.0]))"),
    ("notebook_grad_unchanged_after_mismatch",
     _NB + "\no.backward()\ntry:\n    o.backward(torch.FloatTensor([1.0, 1.0]))\n"
     "except RuntimeError:\n    pass\nprint(x.grad)"),
    ("notebook_second_backward", _NB + "\no.backward()\no.backward()"),
    ("second_backward_error",
     "x = torch.ones(2, requires_grad=True)\ny = (x * x).sum()\ny.backward()\ny.backward()"),
    ("second_backward_partial_graph_error",
     "x = torch.ones(2, requires_grad=True)\nh = x.exp()\ny = h.sum()\ny.backward()\n"
     "(h * 2).sum().backward()"),
    ("second_backward_through_add_only_ok",
     "x = torch.ones(2, requires_grad=True)\ny = (x + 1).sum()\ny.backward()\ny.backward()\n"
     "print(x.grad)"),
    ("retain_graph_twice",
     "x = torch.ones(2, requires_grad=True)\ny = (x * x).sum()\ny.backward(retain_graph=True)\n"
     "y.backward()\nprint(x.grad)"),
    ("retain_graph_then_third_error",
     "x = torch.ones(2, requires_grad=True)\ny = (x * x).sum()\ny.backward(retain_graph=True)\n"
     "y.backward()\ny.backward()"),
    ("leaf_reused_in_chain_0d",
     "a = torch.tensor(0., requires_grad=True)\nb = torch.tensor(0., requires_grad=True)\n"
     "y = a + b\ny = y + b\ny = y + b\ny.backward()\nprint(a.grad, b.grad)"),
    ("leaf_reused_in_chain_1d",
     "a = torch.ones(2, requires_grad=True)\nb = torch.ones(2, requires_grad=True)\n"
     "y = a + b\ny = y * b\ny = y - b\ny.sum().backward()\nprint(a.grad, b.grad)"),
    ("leaf_reused_mul_0d",
     "w = torch.tensor(2., requires_grad=True)\ny = w * 3\ny = y * w\ny = y + w\n"
     "y.backward()\nprint(w.grad)"),
    ("accumulation_across_graphs",
     "x = torch.tensor([1., 2.], requires_grad=True)\n(x * 3).sum().backward()\n"
     "(x * x).sum().backward()\nprint(x.grad)"),
    ("backward_with_gradient",
     "x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x * x\n"
     "y.backward(torch.tensor([1., 0.1, 0.01]))\nprint(x.grad)"),
    ("backward_gradient_keyword",
     "x = torch.ones(2, 2, requires_grad=True)\ny = x * 2\n"
     "y.backward(gradient=torch.ones(2, 2))\nprint(x.grad)"),
    ("backward_gradient_0d_tensor",
     "x = torch.ones(2, requires_grad=True)\ny = x.sum()\ny.backward(torch.tensor(2.))\n"
     "print(x.grad)"),
    ("backward_gradient_wrong_shape",
     "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.backward(torch.ones(2))"),
    ("backward_gradient_1_vs_0d",
     "x = torch.ones(2, requires_grad=True)\ny = x.sum()\ny.backward(torch.ones(1))"),
    ("backward_non_scalar_error",
     "x = torch.ones(2, requires_grad=True)\ny = x * 2\ny.backward()"),
    ("backward_one_element_shapes_ok",
     "x = torch.ones(1, 1, requires_grad=True)\n(x * 3).backward()\nprint(x.grad)\n"
     "z = torch.ones(1, requires_grad=True)\n(z * 2).backward()\nprint(z.grad)"),
    ("backward_no_grad_tensor_error", "torch.ones(2).sum().backward()"),
    ("backward_graph_built_under_no_grad_error",
     "x = torch.ones(2, requires_grad=True)\nwith torch.no_grad():\n    y = (x * 2).sum()\n"
     "y.backward()"),
    ("backward_on_leaf",
     "x = torch.tensor(3., requires_grad=True)\nx.backward()\nprint(x.grad)"),
    ("backward_through_detach_stops",
     "x = torch.ones(2, requires_grad=True)\ny = (x * 2).detach() * x\ny.sum().backward()\n"
     "print(x.grad)"),
    ("torch_autograd_backward",
     "x = torch.ones(2, requires_grad=True)\ntorch.autograd.backward((x * 4).sum())\n"
     "print(x.grad)"),
    ("autograd_grad_basic",
     "x = torch.tensor([1., 2.], requires_grad=True)\ny = (x ** 2).sum()\n"
     "g = torch.autograd.grad(y, x)\nprint(g)\nprint(type(g).__name__, x.grad)"),
    ("autograd_grad_two_inputs",
     "a = torch.tensor(2., requires_grad=True)\nb = torch.tensor(3., requires_grad=True)\n"
     "print(torch.autograd.grad(a * b, [a, b]))"),
    ("autograd_grad_outputs",
     "x = torch.tensor([1., 2.], requires_grad=True)\ny = x * 3\n"
     "print(torch.autograd.grad(y, x, grad_outputs=torch.tensor([1., -1.])))"),
    ("autograd_grad_non_scalar_error",
     "x = torch.ones(2, requires_grad=True)\ntorch.autograd.grad(x * 2, x)"),
    ("autograd_grad_unused_error",
     "a = torch.ones(1, requires_grad=True)\nb = torch.ones(1, requires_grad=True)\n"
     "torch.autograd.grad((a * 2).sum(), [a, b])"),
    ("autograd_grad_allow_unused",
     "a = torch.ones(1, requires_grad=True)\nb = torch.ones(1, requires_grad=True)\n"
     "print(torch.autograd.grad((a * 2).sum(), [a, b], allow_unused=True))"),
    ("autograd_grad_frees_graph",
     "x = torch.ones(2, requires_grad=True)\ny = (x * x).sum()\ntorch.autograd.grad(y, x)\n"
     "y.backward()"),
    ("autograd_grad_retain_graph",
     "x = torch.ones(2, requires_grad=True)\ny = (x * x).sum()\n"
     "torch.autograd.grad(y, x, retain_graph=True)\ny.backward()\nprint(x.grad)"),
    ("no_grad_context",
     "x = torch.ones(2, requires_grad=True)\nwith torch.no_grad():\n    y = x * 2\n"
     "print(y, y.requires_grad, y.is_leaf, y.grad_fn)"),
    ("no_grad_decorator",
     "x = torch.ones(2, requires_grad=True)\n@torch.no_grad()\ndef f(t):\n    return t * 2\n"
     "y = f(x)\nprint(y, y.requires_grad)"),
    ("enable_grad_inside_no_grad",
     "x = torch.ones(2, requires_grad=True)\nwith torch.no_grad():\n"
     "    with torch.enable_grad():\n        y = x * 2\n    z = x * 2\n"
     "print(y.requires_grad, z.requires_grad)"),
    ("set_grad_enabled_context",
     "x = torch.ones(2, requires_grad=True)\nwith torch.set_grad_enabled(False):\n"
     "    y = x * 2\nwith torch.set_grad_enabled(True):\n    z = x * 2\n"
     "print(y.requires_grad, z.requires_grad)"),
    ("set_grad_enabled_function",
     "x = torch.ones(2, requires_grad=True)\ntorch.set_grad_enabled(False)\ny = x * 2\n"
     "torch.set_grad_enabled(True)\nz = x * 2\nprint(y.requires_grad, z.requires_grad)"),
    ("is_grad_enabled",
     "print(torch.is_grad_enabled())\nwith torch.no_grad():\n    print(torch.is_grad_enabled())"),
    ("no_grad_factory_requires_grad",
     "with torch.no_grad():\n    t = torch.ones(2, requires_grad=True)\n"
     "print(t, t.requires_grad)"),
    ("sgd_update_under_no_grad",
     "w = torch.tensor([1., 2.], requires_grad=True)\nloss = (w * w).sum()\nloss.backward()\n"
     "with torch.no_grad():\n    w -= 0.1 * w.grad\nw.grad.zero_()\nprint(w, w.grad, w.is_leaf)"),
    ("grad_fn_name_and_type",
     "x = torch.ones(2, requires_grad=True)\ny = x * 2\n"
     "print(y.grad_fn.name(), type(y.grad_fn).__name__)"),
    ("next_functions_mul_scalar",
     "x = torch.ones(2, requires_grad=True)\ny = x * 3\n"
     "print([(f.name() if f is not None else None, i) for f, i in y.grad_fn.next_functions])"),
    ("next_functions_constant_first",
     "x = torch.ones(2, requires_grad=True)\ny = torch.ones(2) * x\n"
     "print([(f.name() if f is not None else None, i) for f, i in y.grad_fn.next_functions])"),
    ("next_functions_sum_one_entry",
     "x = torch.ones(2, requires_grad=True)\ny = x.sum()\nprint(len(y.grad_fn.next_functions))"),
    ("notebook_graph_structure", _SHOW + _NB + "\nprint(show(o.grad_fn))"),
    ("graph_two_leaves", _SHOW +
     "a = torch.ones(2, requires_grad=True)\nb = torch.ones(2, requires_grad=True)\n"
     "print(show(((a * b).exp() + b).mean().grad_fn))"),
    ("graph_views_and_matmul", _SHOW +
     "W = torch.ones(2, 3, requires_grad=True)\nx = torch.ones(3)\n"
     "print(show((W @ x).relu().sum().grad_fn))\nprint(show(W.T.reshape(6).grad_fn))"),
    ("graph_shared_node_listed_twice", _SHOW +
     "x = torch.ones(2, requires_grad=True)\nh = x.exp()\nprint(show((h * h).grad_fn))"),
    ("accumulate_grad_variable",
     "x = torch.ones(2, requires_grad=True)\ny = x * 2\nacc = y.grad_fn.next_functions[0][0]\n"
     "print(acc.name(), acc.variable is x, acc.next_functions)"),
    ("accumulate_grad_same_object",
     "x = torch.ones(2, requires_grad=True)\na = (x * 2).grad_fn.next_functions[0][0]\n"
     "b = (x + 2).grad_fn.next_functions[0][0]\nprint(a is b)"),
    ("grad_fn_of_rsub_and_rdiv",
     "x = torch.ones(2, requires_grad=True)\n"
     "print((1 - x).grad_fn.name(), (2 / x).grad_fn.name(), (2 ** x).grad_fn.name())"),
    ("grad_fn_of_pow_tensor_exponent",
     "x = torch.ones(2, requires_grad=True)\nw = torch.ones(2, requires_grad=True)\n"
     "print((x ** w).grad_fn.name())"),
    ("version_counter_error_exp",
     "x = torch.ones(2, requires_grad=True)\ny = x.exp()\ny.add_(1)\ny.sum().backward()"),
    ("version_counter_error_mul_saved_input",
     "x = torch.ones(2, requires_grad=True)\nh = x * 1\ny = h * h\nh.mul_(2)\n"
     "y.sum().backward()"),
    ("version_counter_error_sigmoid",
     "x = torch.zeros(3, requires_grad=True)\ny = x.sigmoid()\ny.mul_(2)\ny.sum().backward()"),
    ("version_counter_ok_when_not_saved",
     "x = torch.ones(2, requires_grad=True)\nh = x + 1\ny = h + 1\nh.mul_(3)\n"
     "y.sum().backward()\nprint(x.grad)"),
    ("version_counter_error_saved_constant",
     "x = torch.ones(2, requires_grad=True)\nw = torch.ones(2)\ny = (x * w).sum()\nw.add_(1)\n"
     "y.backward()"),
    ("deep_chain_no_recursion_error",
     "x = torch.tensor(1., requires_grad=True)\ny = x\nfor _ in range(5000):\n    y = y * 1.0\n"
     "y.backward()\nprint(x.grad)"),
    ("chain_100k_ops_no_recursion_error",
     "x = torch.tensor([2.], requires_grad=True)\ny = x\nfor _ in range(50000):\n"
     "    y = y * 1.0\n    y = y + 0.0\ny.sum().backward()\nprint(x.grad, y)"),
    ("saved_tensor_values_after_backward_graph_kept_names",
     "x = torch.ones(2, requires_grad=True)\ny = (x * 2).sum()\ny.backward()\n"
     "print(y.grad_fn.name(), y.grad_fn.next_functions[0][0].name())"),
    # Grad-mode forms found by a sweep.
    ("no_grad_decorator_without_parentheses",
     "x = torch.ones(2, requires_grad=True)\n@torch.no_grad\ndef f(t):\n    return t * 2\n"
     "print(f(x).requires_grad, torch.is_grad_enabled())"),
    ("set_grad_enabled_as_decorator_restores_mode",
     "x = torch.ones(2, requires_grad=True)\n@torch.set_grad_enabled(False)\ndef f(t):\n"
     "    return t * 2\nprint(torch.is_grad_enabled())\nprint(f(x).requires_grad, "
     "torch.is_grad_enabled())"),
    ("no_grad_on_generator",
     "x = torch.ones(2, requires_grad=True)\n@torch.no_grad()\ndef gen():\n    yield x * 2\n"
     "print(next(gen()).requires_grad)"),
    ("view_of_leaf_in_no_grad_requires_grad",
     "x = torch.ones(2, requires_grad=True)\nwith torch.no_grad():\n"
     "    v = x[0]\n    w = x * 1\nprint(v.requires_grad, v.grad_fn, w.requires_grad)"),
    # The seed notebook as learners change it.
    ("notebook_variant_vector_backward",
     "x = Variable(torch.ones((2)), requires_grad=True)\ny = 5 * (x + 1) ** 2\n"
     "y.backward(torch.FloatTensor([1.0, 1.0]))\nprint(x.grad)\nprint(x.grad.data)"),
    ("notebook_variant_retain_graph_accumulates",
     "x = Variable(torch.ones((2)), requires_grad=True)\ny = 5 * (x + 1) ** 2\n"
     "o = (1/2) * torch.sum(y)\no.backward(retain_graph=True)\nprint(x.grad)\n"
     "o.backward(torch.tensor(1.0))\nprint(x.grad)\nx.grad.zero_()\no.backward()\n"
     "print(x.grad)\no.backward()"),
    ("notebook_variant_mean_instead_of_half_sum",
     "x = Variable(torch.ones((2)), requires_grad=True)\ny = 5 * (x + 1) ** 2\no = y.mean()\n"
     "print(o)\no.backward()\nprint(x.grad)\nprint(o.grad_fn.name(), y.grad_fn.name())"),
    ("notebook_variant_y_backward_without_gradient",
     "x = Variable(torch.ones((2)), requires_grad=True)\ny = 5 * (x + 1) ** 2\ny.backward()"),
]
