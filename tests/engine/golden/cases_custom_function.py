"""``torch.autograd.Function``: custom ops with the forward and backward a learner writes (the
"Learning PyTorch with Examples" tutorial's LegendrePolynomial3 first), their grad_fn nodes,
ctx features, and torch's errors for a backward that returns the wrong thing."""

TOPIC = "custom_function"

P3 = (
    "class LegendrePolynomial3(torch.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, input):\n"
    "        ctx.save_for_backward(input)\n"
    "        return 0.5 * (5 * input ** 3 - 3 * input)\n"
    "    @staticmethod\n"
    "    def backward(ctx, grad_output):\n"
    "        input, = ctx.saved_tensors\n"
    "        return grad_output * 1.5 * (5 * input ** 2 - 1)\n"
    "P3 = LegendrePolynomial3.apply\n"
)
NAMES = (
    "def names(fn):\n"
    "    if fn is None:\n"
    "        return None\n"
    "    return (fn.name(), [names(n) for n, _ in fn.next_functions])\n"
)


def _returns(body: str, forward: str = "return a * 2", args: str = "x") -> str:
    """A function ``F`` whose backward is ``body``; backward through it with x of shape [5]."""
    return ("class F(torch.autograd.Function):\n"
            "    @staticmethod\n"
            "    def forward(ctx, a, *rest):\n"
            f"        {forward}\n"
            "    @staticmethod\n"
            "    def backward(ctx, g):\n"
            f"        {body}\n"
            "x = torch.ones(5, requires_grad=True)\n"
            f"F.apply({args}).sum().backward()\n"
            "print(x.grad)\n")


CASES = [
    ("legendre_forward_grad_fn_and_gradient",
     P3 + "x = torch.linspace(-1, 1, 5, requires_grad=True)\n"
     "y = P3(x)\n"
     "print(y)\n"
     "print(y.grad_fn.name(), type(y.grad_fn).__name__, type(y.grad_fn).__module__)\n"
     "print(y.grad_fn.next_functions[0][0].name(), y.grad_fn.next_functions[0][1])\n"
     "print(y.grad_fn.needs_input_grad, y.requires_grad, y.is_leaf)\n"
     "y.sum().backward()\n"
     "print(x.grad)\n"),
    ("legendre_tutorial_training_loop",
     P3 + "import math\n"
     "x = torch.linspace(-math.pi, math.pi, 2000)\n"
     "y = torch.sin(x)\n"
     "a = torch.full((), 0.0, requires_grad=True)\n"
     "b = torch.full((), -1.0, requires_grad=True)\n"
     "c = torch.full((), 0.0, requires_grad=True)\n"
     "d = torch.full((), 0.3, requires_grad=True)\n"
     "learning_rate = 5e-6\n"
     "for t in range(300):\n"
     "    y_pred = a + b * P3(c + d * x)\n"
     "    loss = (y_pred - y).pow(2).sum()\n"
     "    if t % 50 == 49:\n"
     "        print(t, loss.item())\n"
     "    loss.backward()\n"
     "    with torch.no_grad():\n"
     "        a -= learning_rate * a.grad\n"
     "        b -= learning_rate * b.grad\n"
     "        c -= learning_rate * c.grad\n"
     "        d -= learning_rate * d.grad\n"
     "        a.grad = None\n"
     "        b.grad = None\n"
     "        c.grad = None\n"
     "        d.grad = None\n"
     # a and c stay ~1e-10, sums of cancelling terms whose last bits differ (as without P3)
     "print(f'Result: y = {b.item()} * P3({d.item()} x)')\n"
     "print(abs(a.item()) < 1e-6, abs(c.item()) < 1e-6)\n"),
    ("graph_names_through_a_custom_node",
     P3 + NAMES + "w = torch.tensor([0.5, -1.], requires_grad=True)\n"
     "y = (P3(w * 2) + 1).sum()\n"
     "print(names(y.grad_fn))\n"
     "y.backward()\n"
     "print(w.grad)\n"),
    ("non_tensor_argument_gets_none",
     "class MulConstant(torch.autograd.Function):\n"
     "    @staticmethod\n"
     "    def forward(ctx, tensor, constant):\n"
     "        ctx.constant = constant\n"
     "        print('needs', ctx.needs_input_grad)\n"
     "        return tensor * constant\n"
     "    @staticmethod\n"
     "    def backward(ctx, grad_output):\n"
     "        return grad_output * ctx.constant, None\n"
     "x = torch.tensor([1., 2., 3.], requires_grad=True)\n"
     "y = MulConstant.apply(x, 5)\n"
     "print(y, len(y.grad_fn.next_functions), y.grad_fn.constant)\n"
     "y.sum().backward()\n"
     "print(x.grad)\n"
     "y.sum().backward()\n"
     "print(x.grad)\n"
     "print(MulConstant.apply(x, constant=2))\n"),
    ("needs_input_grad_and_constant_inputs",
     NAMES + "class Mix(torch.autograd.Function):\n"
     "    @staticmethod\n"
     "    def forward(ctx, a, k, b):\n"
     "        ctx.save_for_backward(a, b)\n"
     "        ctx.k = k\n"
     "        return a * b * k\n"
     "    @staticmethod\n"
     "    def backward(ctx, g):\n"
     "        a, b = ctx.saved_tensors\n"
     "        print('needs', ctx.needs_input_grad)\n"
     "        ga = g * b * ctx.k if ctx.needs_input_grad[0] else None\n"
     "        gb = g * a * ctx.k if ctx.needs_input_grad[2] else None\n"
     "        return ga, None, gb\n"
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "c = torch.tensor([3., 4.])\n"
     "y = Mix.apply(c, 2., x)\n"
     "print(y, names(y.grad_fn))\n"
     "y.sum().backward()\n"
     "print(x.grad)\n"
     "print(Mix.apply(c, 2., c))\n"
     "with torch.no_grad():\n"
     "    print(Mix.apply(x, 2., x))\n"),
    ("mark_non_differentiable_sort",
     "class Sort(torch.autograd.Function):\n"
     "    @staticmethod\n"
     "    def forward(ctx, a):\n"
     "        v, i = a.sort()\n"
     "        ctx.mark_non_differentiable(i)\n"
     "        ctx.save_for_backward(i)\n"
     "        return v, i\n"
     "    @staticmethod\n"
     "    def backward(ctx, g, gi):\n"
     "        print('gi', gi)\n"
     "        i, = ctx.saved_tensors\n"
     "        out = torch.zeros_like(g)\n"
     "        out[i] = g\n"
     "        return out\n"
     "x = torch.tensor([3., 1., 2.], requires_grad=True)\n"
     "v, i = Sort.apply(x)\n"
     "print(v, i, i.requires_grad, i.grad_fn)\n"
     "(v * torch.tensor([1., 2., 3.])).sum().backward()\n"
     "print(x.grad)\n"),
    ("materialize_grads_false_passes_none",
     "class Pair(torch.autograd.Function):\n"
     "    @staticmethod\n"
     "    def forward(ctx, a):\n"
     "        ctx.set_materialize_grads(False)\n"
     "        n = (a > 0).sum()\n"
     "        ctx.mark_non_differentiable(n)\n"
     "        return a * 3, n\n"
     "    @staticmethod\n"
     "    def backward(ctx, g, gn):\n"
     "        print('gn', gn)\n"
     "        return g * 3\n"
     "x = torch.tensor([1., -2.], requires_grad=True)\n"
     "y, n = Pair.apply(x)\n"
     "print(y, n)\n"
     "y.sum().backward()\n"
     "print(x.grad)\n"),
    ("setup_context_style",
     "class Scale(torch.autograd.Function):\n"
     "    @staticmethod\n"
     "    def forward(a, k=2.0):\n"
     "        return a * k\n"
     "    @staticmethod\n"
     "    def setup_context(ctx, inputs, output):\n"
     "        a, k = inputs\n"
     "        print('inputs', inputs, 'output', output)\n"
     "        ctx.k = k\n"
     "        ctx.save_for_backward(a)\n"
     "    @staticmethod\n"
     "    def backward(ctx, g):\n"
     "        a, = ctx.saved_tensors\n"
     "        print('needs', ctx.needs_input_grad)\n"
     "        return g * ctx.k, None\n"
     "x = torch.tensor([0.5, 2.], requires_grad=True)\n"
     "y = Scale.apply(x)\n"
     "print(y)\n"
     "y.sum().backward()\n"
     "print(x.grad)\n"
     "print(Scale.apply(x, k=3.0))\n"),
    ("saved_output_comes_back_with_the_node_as_grad_fn",
     "class Exp(torch.autograd.Function):\n"
     "    @staticmethod\n"
     "    def forward(ctx, a):\n"
     "        r = a.exp()\n"
     "        ctx.save_for_backward(r)\n"
     "        return r\n"
     "    @staticmethod\n"
     "    def backward(ctx, g):\n"
     "        r, = ctx.saved_tensors\n"
     "        print('saved', r)\n"
     "        return g * r\n"
     "x = torch.tensor([0., 1.], requires_grad=True)\n"
     "y = Exp.apply(x)\n"
     "print(y.grad_fn.saved_tensors[0] is y, y.grad_fn.saved_tensors[0].grad_fn is y.grad_fn)\n"
     "y.sum().backward(retain_graph=True)\n"
     "y.sum().backward()\n"
     "print(x.grad)\n"),
    ("saved_tensors_after_free",
     P3 + "x = torch.tensor([0.5, 2.], requires_grad=True)\n"
     "y = P3(x)\n"
     "print(y.grad_fn.saved_tensors[0] is x)\n"
     "y.sum().backward()\n"
     "y.grad_fn.saved_tensors\n"),
    ("backward_twice_raises",
     P3 + "x = torch.tensor([0.5, 2.], requires_grad=True)\n"
     "y = P3(x).sum()\n"
     "y.backward()\n"
     "y.backward()\n"),
    ("saved_input_changed_in_place",
     P3 + "x = torch.tensor([0.5, 2.], requires_grad=True)\n"
     "a = x * 1\n"
     "y = P3(a)\n"
     "with torch.no_grad():\n"
     "    a.mul_(2)\n"
     "y.sum().backward()\n"),
    ("saved_output_changed_in_place",
     "class Exp(torch.autograd.Function):\n"
     "    @staticmethod\n"
     "    def forward(ctx, a):\n"
     "        r = a.exp()\n"
     "        ctx.save_for_backward(r)\n"
     "        return r\n"
     "    @staticmethod\n"
     "    def backward(ctx, g):\n"
     "        r, = ctx.saved_tensors\n"
     "        return g * r\n"
     "x = torch.tensor([0., 1.], requires_grad=True)\n"
     "y = Exp.apply(x)\n"
     "with torch.no_grad():\n"
     "    y.mul_(2)\n"
     "y.sum().backward()\n"),
    ("autograd_grad_and_retain_graph",
     P3 + "x = torch.tensor([0.5, 2.], requires_grad=True)\n"
     "y = P3(x).sum()\n"
     "print(torch.autograd.grad(y, x, retain_graph=True))\n"
     "print(torch.autograd.grad(y, x))\n"
     "torch.autograd.grad(y, x)\n"),
    ("create_graph_second_derivative",
     P3 + NAMES + "x = torch.tensor([0.5, 2.], requires_grad=True)\n"
     "y = P3(x)\n"
     "(g,) = torch.autograd.grad(y.sum(), x, create_graph=True)\n"
     "print(g)\n"
     "print(names(g.grad_fn))\n"
     "(h,) = torch.autograd.grad(g.sum(), x)\n"
     "print(h)\n"),
    ("once_differentiable_cuts_the_second_derivative",
     NAMES + "from torch.autograd.function import once_differentiable\n"
     "class Sq(torch.autograd.Function):\n"
     "    @staticmethod\n"
     "    def forward(ctx, a):\n"
     "        ctx.save_for_backward(a)\n"
     "        return a ** 2\n"
     "    @staticmethod\n"
     "    @once_differentiable\n"
     "    def backward(ctx, g):\n"
     "        a, = ctx.saved_tensors\n"
     "        print('grad mode', torch.is_grad_enabled())\n"
     "        return g * 2 * a\n"
     "x = torch.tensor([0.5, 2.], requires_grad=True)\n"
     "y = Sq.apply(x) * x\n"
     "(g,) = torch.autograd.grad(y.sum(), x, create_graph=True)\n"
     "print(g)\n"
     "print(names(g.grad_fn))\n"
     "g.sum().backward()\n"),
    ("hooks_and_retain_grad_on_the_output",
     "class Double(torch.autograd.Function):\n"
     "    @staticmethod\n"
     "    def forward(ctx, a):\n"
     "        return a * 2\n"
     "    @staticmethod\n"
     "    def backward(ctx, g):\n"
     "        return g * 2\n"
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "y = Double.apply(x)\n"
     "y.retain_grad()\n"
     "y.register_hook(lambda g: print('hook', g))\n"
     "(y * y).sum().backward()\n"
     "print(y.grad, x.grad)\n"),
    ("returning_an_input_gives_a_new_tensor",
     "class Id(torch.autograd.Function):\n"
     "    @staticmethod\n"
     "    def forward(ctx, a):\n"
     "        return a\n"
     "    @staticmethod\n"
     "    def backward(ctx, g):\n"
     "        return g\n"
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "y = Id.apply(x)\n"
     "print(y is x, y, y._base is x)\n"
     "y.sum().backward()\n"
     "print(x.grad)\n"),
    ("ctx_attributes", "class F(torch.autograd.Function):\n"
     "    @staticmethod\n"
     "    def forward(ctx, a):\n"
     "        ctx.shape = a.shape\n"
     "        ctx.note = 'hi'\n"
     "        return a.sum()\n"
     "    @staticmethod\n"
     "    def backward(ctx, g):\n"
     "        print(ctx.shape, ctx.note)\n"
     "        return g.expand(ctx.shape)\n"
     "x = torch.ones(2, 3, requires_grad=True)\n"
     "y = F.apply(x)\n"
     "print(y, y.grad_fn.note)\n"
     "y.backward()\n"
     "print(x.grad)\n"
     "y.grad_fn.missing\n"),
    ("gradient_summed_to_a_broadcast_input", _returns("return torch.ones(3, 5)")),
    ("gradient_cast_to_the_input_dtype", _returns("return g.double()")),
    ("none_gradient_leaves_grad_none", _returns("return None")),
    ("extra_none_gradients_are_dropped", _returns("return g, None, None")),
    ("error_wrong_number_of_gradients", _returns("return g, g")),
    ("error_too_few_gradients", _returns("return g", args="x, x")),
    ("error_gradient_of_wrong_shape", _returns("return torch.ones(2)")),
    ("error_scalar_gradient_for_a_vector", _returns("return g.sum()")),
    ("error_gradient_for_a_non_tensor_argument", _returns("return g, g", args="x, 2")),
    ("error_gradient_not_a_tensor", _returns("return 3.0")),
    ("error_gradients_as_a_list", _returns("return [g]")),
    ("error_save_for_backward_non_tensor",
     _returns("return g", forward="ctx.save_for_backward(a, 3); return a * 2")),
    ("forward_returning_a_non_tensor",
     "class F(torch.autograd.Function):\n"
     "    @staticmethod\n"
     "    def forward(ctx, a):\n"
     "        return 3\n"
     "    @staticmethod\n"
     "    def backward(ctx, g):\n"
     "        return g\n"
     "print(F.apply(torch.ones(2, requires_grad=True)))\n"),
    ("error_missing_backward",
     "class F(torch.autograd.Function):\n"
     "    @staticmethod\n"
     "    def forward(ctx, a):\n"
     "        return a * 2\n"
     "F.apply(torch.ones(2, requires_grad=True)).sum().backward()\n"),
    ("error_missing_forward",
     "class F(torch.autograd.Function):\n"
     "    pass\n"
     "F.apply(torch.ones(2))\n"),
    ("error_forward_not_static",
     "class F(torch.autograd.Function):\n"
     "    def forward(self, ctx, a):\n"
     "        return a * 2\n"
     "    def backward(self, ctx, g):\n"
     "        return g\n"
     "F.apply(torch.ones(2))\n"),
    ("error_calling_an_instance",
     "import warnings\n"
     "warnings.simplefilter('ignore', DeprecationWarning)\n"
     "class F(torch.autograd.Function):\n"
     "    @staticmethod\n"
     "    def forward(ctx, a):\n"
     "        return a * 2\n"
     "F()(torch.ones(2))\n"),
    ("error_unexpected_keyword",
     "class F(torch.autograd.Function):\n"
     "    @staticmethod\n"
     "    def forward(ctx, a, k=2):\n"
     "        return a * k\n"
     "F.apply(torch.ones(2), z=3)\n"),
    ("function_ctx_by_hand",
     P3 + "from torch.autograd.function import FunctionCtx\n"
     "ctx = FunctionCtx()\n"
     "print(LegendrePolynomial3.forward(ctx, torch.tensor([1., 2.])), ctx.to_save)\n"
     "ctx.saved_tensors\n"),
]
