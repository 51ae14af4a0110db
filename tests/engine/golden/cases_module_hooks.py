"""Module hooks: forward pre-hooks (with_kwargs, prepend, replacing the arguments), forward
hooks (replacing the output, with_kwargs, always_call when forward raises), full backward
hooks and backward pre-hooks (their arguments, replacing gradients, the BackwardHookFunction
nodes they add to the graph, torch's warning when no input requires grad), handles' remove()
and their use as context managers, and torch's errors for wrong hook results."""

TOPIC = "module_hooks"

_GRAPH = (
    "def graph(fn, depth=0):\n"
    "    if fn is None or depth > 8:\n        return\n"
    "    print('  ' * depth + fn.name())\n"
    "    for nxt, _ in fn.next_functions:\n        graph(nxt, depth + 1)\n"
)

CASES = [
    ("forward_hooks_order_and_results",
     "r = torch.nn.ReLU()\n"
     "h1 = r.register_forward_hook(lambda m, args, out: print('forward hook', args, out))\n"
     "r.register_forward_pre_hook(lambda m, args: print('pre hook', args))\n"
     "r.register_forward_pre_hook(lambda m, args: print('prepended', args), prepend=True)\n"
     "r.register_forward_hook(lambda m, a, k, out: print('kwargs hook', a, k, out), "
     "with_kwargs=True)\n"
     "r.register_forward_hook(lambda m, a, out: out * 2)\n"
     "print(r(torch.tensor([-1., 2.])))\nh1.remove()\nh1.remove()\n"
     "print(r(torch.tensor([-1., 2.])))\n"),
    ("forward_pre_hook_replaces_input",
     "torch.manual_seed(0)\nnet = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh())\n"
     "net[1].register_forward_pre_hook(lambda m, a, k: ((a[0] * 0,), k), with_kwargs=True)\n"
     "print(net(torch.ones(1, 2)))\n"
     "net[0].register_forward_pre_hook(lambda m, a: a[0] + 1)\n"
     "print(net[0](torch.ones(1, 2)))\n"),
    ("forward_pre_hook_bad_result",
     "m = torch.nn.Identity()\n"
     "m.register_forward_pre_hook(lambda m, a, k: 3, with_kwargs=True)\nm(torch.ones(1))\n"),
    ("forward_hooks_collect_activations",
     "torch.manual_seed(0)\n"
     "net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))\n"
     "acts = {}\nhandles = []\n"
     "for name, layer in net.named_children():\n"
     "    def save(m, inp, out, name=name):\n        acts[name] = out.detach()\n"
     "    handles.append(layer.register_forward_hook(save))\n"
     "net(torch.randn(2, 3))\nfor k, v in acts.items():\n    print(k, v)\n"
     "for h in handles:\n    h.remove()\nacts.clear()\nnet(torch.randn(2, 3))\nprint(acts)\n"),
    ("handle_as_context_manager",
     "m = torch.nn.Identity()\n"
     "with m.register_forward_hook(lambda m, a, out: out + 1):\n"
     "    print(m(torch.zeros(2)))\nprint(m(torch.zeros(2)))\n"
     "h = m.register_forward_pre_hook(lambda m, a: None)\n"
     "print(type(h).__module__, type(h).__name__, type(h.id).__name__)\n"),
    ("always_call_hook_when_forward_raises",
     "class Bad(torch.nn.Module):\n    def forward(self, x):\n        raise ValueError('boom')\n"
     "b = Bad()\nb.register_forward_hook(lambda m, a, out: print('always', a, out), "
     "always_call=True)\nb.register_forward_hook(lambda m, a, out: print('not called'))\n"
     "try:\n    b(torch.ones(1))\nexcept ValueError as e:\n    print('raised', e)\n"
     "b.register_forward_hook(lambda m, a, out: 1 / 0, always_call=True)\n"
     "b(torch.ones(1))\n"),
    ("full_backward_hook_input_requires_grad",
     "torch.manual_seed(0)\nm = torch.nn.Linear(3, 2)\n"
     "m.register_full_backward_pre_hook(lambda mod, go: print('pre', go))\n"
     "m.register_full_backward_hook(lambda mod, gi, go: print('hook', type(mod).__name__, "
     "gi, go))\nx = torch.ones(1, 3, requires_grad=True)\ny = m(x)\n" + _GRAPH
     + "graph(y.grad_fn)\ny.sum().backward()\nprint(x.grad)\nprint(m.weight.grad)\n"),
    ("full_backward_hook_no_input_grad_warns",
     "torch.manual_seed(0)\nm = torch.nn.Linear(3, 2)\n"
     "m.register_full_backward_hook(lambda mod, gi, go: print('hook', gi, go))\n"
     "y = m(torch.ones(1, 3))\nprint(y.grad_fn.name())\ny.sum().backward()\n"
     "print(m.bias.grad)\n"),
    ("full_backward_hook_replaces_grad_input",
     "torch.manual_seed(0)\nnet = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), "
     "torch.nn.Linear(3, 1))\n"
     "net[1].register_full_backward_hook(lambda m, gi, go: (gi[0].clamp(-0.1, 0.1),))\n"
     "x = torch.tensor([[1., 2.]], requires_grad=True)\nnet(x).sum().backward()\n"
     "print(x.grad)\nprint(net[0].weight.grad)\n"),
    ("backward_pre_hook_replaces_grad_output",
     "m = torch.nn.Tanh()\n"
     "m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 100,))\n"
     "m.register_full_backward_hook(lambda mod, gi, go: print('grads', gi, go))\n"
     "x = torch.tensor([0., 1.], requires_grad=True)\nm(x).sum().backward()\nprint(x.grad)\n"),
    ("backward_hook_wrong_count",
     "m = torch.nn.Tanh()\n"
     "m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))\n"
     "x = torch.tensor([0., 1.], requires_grad=True)\nm(x).sum().backward()\n"),
    ("backward_pre_hook_wrong_count",
     "m = torch.nn.Tanh()\n"
     "m.register_full_backward_pre_hook(lambda mod, go: ())\n"
     "x = torch.tensor([0., 1.], requires_grad=True)\nm(x).sum().backward()\n"),
    ("backward_hook_removed_and_no_grad",
     "m = torch.nn.Sigmoid()\nh = m.register_full_backward_hook(lambda mod, gi, go: "
     "print('hook'))\nx = torch.tensor([0., 1.], requires_grad=True)\n"
     "with torch.no_grad():\n    y = m(x)\nprint(y.grad_fn)\nh.remove()\n"
     "y = m(x)\nprint(y.grad_fn.name())\ny.sum().backward()\nprint(x.grad)\n"),
    ("hooks_on_a_custom_module_with_kwargs",
     "class Scale(torch.nn.Module):\n    def forward(self, x, factor=1.0):\n"
     "        return x * factor\n"
     "m = Scale()\n"
     "def pre(mod, args, kwargs):\n    print('pre', args, kwargs)\n"
     "    return args, {'factor': 3.0}\n"
     "def post(mod, args, kwargs, out):\n    print('post', kwargs, out)\n"
     "m.register_forward_pre_hook(pre, with_kwargs=True)\n"
     "m.register_forward_hook(post, with_kwargs=True)\n"
     "print(m(torch.tensor([1., 2.]), factor=2.0))\n"),
    ("backward_hooks_on_two_inputs_and_two_outputs", """
nn = torch.nn
class Two(nn.Module):
    def forward(self, a, b):
        return a * b, a + b
m = Two()
m.register_full_backward_pre_hook(lambda mod, go: print('pre', go))
m.register_full_backward_hook(lambda mod, gi, go: print('hook', gi, go))
a = torch.tensor([1., 2.], requires_grad=True)
b = torch.tensor([3., 4.], requires_grad=True)
p, s = m(a, b)
print(p.grad_fn.name(), p.grad_fn is s.grad_fn)
(p * 2 + s).sum().backward()
print(a.grad, b.grad)
a.grad = b.grad = None
p, s = m(a, b)
p.sum().backward()
print(a.grad, b.grad)
m2 = Two()
m2.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 0, gi[1]))
a.grad = b.grad = None
p, s = m2(a, 5.0 * torch.ones(2))
(p + s).sum().backward(); print(a.grad)
loss_fn = nn.MSELoss()
loss_fn.register_full_backward_hook(lambda mod, gi, go: print('mse', gi, go))
x = torch.tensor([1., 2.], requires_grad=True); t = torch.tensor([0., 0.], requires_grad=True)
loss_fn(x, t).backward(); print(x.grad, t.grad)
"""),
]
