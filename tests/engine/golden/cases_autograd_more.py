"""Autograd API details and which graphs survive a second backward.

A second backward fails only where a node saved tensors (mul of two tensors, pow, exp, ...);
graphs of adds, views, sums and scalar multiplications replay fine in torch 2.13.
"""

TOPIC = "autograd_more"

CASES = [
    ("grad_outputs_shape",
     "x = torch.ones(2, requires_grad=True)\n"
     "print(torch.autograd.grad(x * 2, x, grad_outputs=torch.ones(3)))"),
    ("grad_list_outputs",
     "x = torch.ones(2, requires_grad=True)\n"
     "print(torch.autograd.grad([(x * 2).sum(), (x * 3).sum()], x))"),
    ("grad_non_tensor_input",
     "x = torch.ones(2, requires_grad=True)\n"
     "print(torch.autograd.grad((x * 2).sum(), 3))"),
    ("grad_tuple_inputs",
     "a = torch.ones(1, requires_grad=True)\n"
     "b = torch.ones(1, requires_grad=True)\n"
     "print(torch.autograd.grad((a * b).sum(), (a, b)))"),
    ("grad_does_not_touch_dotgrad",
     "x = torch.ones(2, requires_grad=True)\n"
     "torch.autograd.grad((x * 2).sum(), x)\n"
     "print(x.grad)"),
    ("backward_inputs",
     "a = torch.ones(1, requires_grad=True)\n"
     "b = torch.ones(1, requires_grad=True)\n"
     "(a * b * 2).sum().backward(inputs=[a])\n"
     "print((a.grad, b.grad))"),
    ("autograd_backward_grad_tensors",
     "x = torch.ones(2, requires_grad=True)\n"
     "torch.autograd.backward([x * 2], [torch.tensor([1., 2.])])\n"
     "print(x.grad)"),
    ("backward_retain_graph_false_explicit",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = (x * x).sum()\n"
     "y.backward(retain_graph=False)\n"
     "print(x.grad)"),
    ("grad_of_leaf_itself",
     "x = torch.ones(2, requires_grad=True)\n"
     "print(torch.autograd.grad(x.sum(), x))"),
    ("grad_of_output_wrt_itself",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x * 2\n"
     "print(torch.autograd.grad(y.sum(), y))"),
    ("nonleaf_grad_via_retain_and_grad_fn",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x * 2\n"
     "y.retain_grad()\n"
     "z = y * y\n"
     "z.sum().backward()\n"
     "print((y.grad, y.is_leaf, z.grad_fn.name()))"),
    ("no_grad_inside_function_then_backward",
     "x = torch.ones(2, requires_grad=True)\n"
     "with torch.no_grad():\n"
     "    c = x * 2\n"
     "y = (x * c).sum()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("inference_mode",
     "x = torch.ones(2, requires_grad=True)\n"
     "with torch.inference_mode():\n"
     "    y = x * 2\n"
     "print((y.requires_grad, y))"),
    ("inference_mode_queries",
     "print(torch.is_inference_mode_enabled(), torch.is_grad_enabled())\n"
     "with torch.inference_mode():\n"
     "    print(torch.is_inference_mode_enabled(), torch.is_grad_enabled())\n"
     "    with torch.inference_mode(False):\n"
     "        print(torch.is_inference_mode_enabled(), torch.is_grad_enabled())\n"
     "with torch.no_grad():\n"
     "    with torch.inference_mode(False):\n"
     "        print(torch.is_inference_mode_enabled(), torch.is_grad_enabled())\n"
     "@torch.inference_mode()\n"
     "def f():\n"
     "    return torch.is_inference_mode_enabled(), torch.is_grad_enabled()\n"
     "print(f(), torch.is_inference_mode_enabled(), torch.is_grad_enabled())"),
    ("saved_tensors_unpack_like_savedvariable",
     "x = torch.ones(2, requires_grad=True)\nc = torch.full((2,), 3.)\na = x * c\n"
     "print(a.grad_fn._saved_other is c, a.grad_fn._saved_self)\n"
     "y = x * 2\nz = y * y\nprint(z.grad_fn._saved_self is y, z.grad_fn._saved_other is y)\n"
     "e = x.exp()\nr = e.grad_fn._saved_result\n"
     "print(repr(r), r.is_leaf, r.requires_grad, r is e, r.grad_fn is e.grad_fn)\n"
     "s = x.pow(2)\nprint(s.grad_fn._saved_self is x, s.grad_fn._saved_exponent)\n"
     "y.add_(1)\nprint(z.grad_fn._saved_self)"),
    ("saved_result_of_a_0d_output",
     "x = torch.tensor(2., requires_grad=True)\ny = x.exp()\nr = y.grad_fn._saved_result\n"
     "print(r, r.requires_grad, r.grad_fn is y.grad_fn)\ns = x.sigmoid()\n"
     "with torch.no_grad():\n    s.mul_(2)\ns.backward()"),
    ("saved_result_after_inplace_raises",
     "x = torch.ones(2, requires_grad=True)\nv = x.sigmoid()\n"
     "with torch.no_grad():\n    v.mul_(2)\nprint(v.grad_fn._saved_result)"),
    ("grad_stops_at_a_non_leaf_input",
     "a = torch.tensor(2., requires_grad=True)\nf1 = a * a\nf1.backward()\n"
     "print(torch.autograd.grad(f1 * 3, f1))\n"
     "b = torch.tensor(3., requires_grad=True)\ny = a * b\nz = y * 2 + b.exp()\n"
     "print(torch.autograd.grad(z, [y, a], retain_graph=True))\n"
     "print(torch.autograd.grad(z, [b]))"),
    ("no_grad_inplace_with_an_operand_that_requires_grad",
     "x = torch.tensor(1.5, requires_grad=True)\nd = torch.tensor(0.5, requires_grad=True)\n"
     "with torch.no_grad():\n    x -= d\n    x *= d\nprint(x, x.requires_grad, x.is_leaf)\n"
     "v = torch.ones(3)\nwith torch.no_grad():\n    v += x * 2\nprint(v)"),
    ("requires_grad_of_grad",
     "x = torch.ones(2, requires_grad=True)\n"
     "(x * 2).sum().backward()\n"
     "print(x.grad.requires_grad)"),
    ("grad_accumulates_dtype64",
     "x = torch.ones(2, dtype=torch.float64, requires_grad=True)\n"
     "(x * 2).sum().backward()\n"
     "(x * x).sum().backward()\n"
     "print(x.grad)"),
    ("backward_twice_leaf_only_graph",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x.sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_view_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x.view(2, 1).sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_mul_const_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = (x * 3).sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_pow_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = (x ** 2).sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_relu_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x.relu().sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_mean_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x.mean()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_neg_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = (-x).sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_div_const_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = (x / 2).sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_scalar_div_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = (2 / x).sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_index_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x[0] * 1\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_exp_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x.exp().sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_sigmoid_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x.sigmoid().sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_mm_twice",
     "x = torch.ones(2, 2, requires_grad=True)\n"
     "y = (x @ torch.ones(2, 2)).sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_softmax_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = (x.softmax(0) * torch.tensor([1., 2.])).sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_ce_twice",
     "x = torch.ones(1, 2, requires_grad=True)\n"
     "y = F.cross_entropy(x, torch.tensor([0]))\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_mse_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = F.mse_loss(x, torch.zeros(2))\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_clamp_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x.clamp(min=0).sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_abs_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x.abs().sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_expand_twice",
     "x = torch.ones(1, requires_grad=True)\n"
     "y = x.expand(3).sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_cat_twice",
     "x = torch.ones(1, requires_grad=True)\n"
     "y = torch.cat([x, x]).sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_max_twice",
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "y = x.max()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_where_twice",
     "x = torch.tensor([1., -2.], requires_grad=True)\n"
     "y = torch.where(x > 0, x, 0.).sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_double_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "y = x.double().sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_add_tensors_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "w = torch.ones(2, requires_grad=True)\n"
     "y = (x + w).sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    ("backward_through_mul_tensors_twice",
     "x = torch.ones(2, requires_grad=True)\n"
     "w = torch.ones(2, requires_grad=True)\n"
     "y = (x * w).sum()\n"
     "y.backward()\n"
     "y.backward()\n"
     "print(x.grad)"),
    # Hooks: how autograd tutorials show an intermediate gradient (beyond issue 2's list).
    ("register_hook_on_intermediate",
     "x = torch.ones(2, requires_grad=True)\ny = x * 3\ny.register_hook(print)\n"
     "y.register_hook(lambda g: g * 10)\n(y * y).sum().backward()\nprint(x.grad)"),
    ("register_hook_on_leaf_and_remove",
     "x = torch.ones(2, requires_grad=True)\nh = x.register_hook(lambda g: g + 1)\n"
     "(x * 2).sum().backward()\nprint(x.grad)\nh.remove()\nx.grad = None\n"
     "(x * 2).sum().backward()\nprint(x.grad)"),
]
