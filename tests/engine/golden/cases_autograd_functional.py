"""torch.autograd.functional: jacobian (tuples of inputs and outputs, create_graph,
vectorize and forward-mode), hessian, vjp, jvp, vhp and hvp, their results' structure, and
torch's errors for wrong inputs, v and strict mode."""

TOPIC = "autograd_functional"

CASES = [
    ("jacobian", """
from torch.autograd.functional import jacobian, hessian, vjp, jvp, hvp, vhp
def exp_reducer(x):
    return x.exp().sum(dim=1)
inputs = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
print(jacobian(exp_reducer, inputs))
print(jacobian(exp_reducer, inputs, create_graph=True))
def exp_adder(x, y):
    return 2 * x.exp() + 3 * y
print(jacobian(exp_adder, (torch.tensor([1., 2.]), torch.tensor([0.5, -1.]))))
print(jacobian(lambda x: (x * 2, x.sum()), torch.tensor([1., 2., 3.])))
print(jacobian(exp_reducer, inputs, vectorize=True))
print(jacobian(exp_reducer, inputs, vectorize=True, strategy="forward-mode"))
"""),
    ("hessian", """
from torch.autograd.functional import jacobian, hessian, vjp, jvp, hvp, vhp
def exp_reducer(x):
    return x.exp().sum(dim=1)
inputs = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
def pow_reducer(x):
    return x.pow(3).sum()
def pow_adder_reducer(x, y):
    return (2 * x.pow(2) + 3 * y.pow(2)).sum()
print(hessian(pow_reducer, inputs))
print(hessian(pow_adder_reducer, (torch.tensor([1., 2.]), torch.tensor([3., 4.]))))
"""),
    ("vjp_jvp_vhp_hvp", """
from torch.autograd.functional import jacobian, hessian, vjp, jvp, hvp, vhp
def exp_reducer(x):
    return x.exp().sum(dim=1)
inputs = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
def pow_reducer(x):
    return x.pow(3).sum()
def pow_adder_reducer(x, y):
    return (2 * x.pow(2) + 3 * y.pow(2)).sum()
print(vjp(exp_reducer, inputs, torch.ones(2)))
print(vjp(exp_reducer, inputs, torch.ones(2), create_graph=True))
a, b = torch.tensor([1., 2.]), torch.tensor([3., 4.])
print(vjp(lambda x, y: x * y, (a, b), torch.tensor([1., 0.5])))
print(jvp(exp_reducer, inputs, torch.ones(2, 2)))
print(jvp(lambda x, y: (x + y, x * y), (a, b), (torch.ones(2), torch.zeros(2))))
print(vhp(pow_reducer, inputs, torch.ones(2, 2)))
print(hvp(pow_reducer, inputs, torch.ones(2, 2)))
print(hvp(pow_adder_reducer, (a, b), (torch.ones(2), torch.ones(2))))
print(vjp(lambda x: x.pow(2).sum(), torch.tensor(3.)))
print(jvp(lambda x: x.pow(2), torch.tensor(3.)))
"""),
    ("create_graph_result_is_differentiable", """
from torch.autograd.functional import jacobian, hessian, vjp, jvp, hvp, vhp
x = torch.tensor([1., 2.], requires_grad=True)
j = jacobian(lambda x: x ** 3, x, create_graph=True)
print(j.requires_grad, j.grad_fn is not None)
j.sum().backward(); print(x.grad)
"""),
    ("errors_and_strict", """
from torch.autograd.functional import jacobian, hessian, vjp, jvp, hvp, vhp
def exp_reducer(x):
    return x.exp().sum(dim=1)
inputs = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
def pow_reducer(x):
    return x.pow(3).sum()
def pow_adder_reducer(x, y):
    return (2 * x.pow(2) + 3 * y.pow(2)).sum()
for expr in ["jacobian(lambda x: x * 0 + 1, torch.ones(2), strict=True)",
             "jacobian(lambda x, y: x * 2, (torch.ones(2), torch.ones(2)), strict=True)",
             "jacobian(exp_reducer, inputs, strict=True, vectorize=True)",
             "jacobian(exp_reducer, inputs, strategy='forward-mode')",
             "jacobian(exp_reducer, inputs, strategy='forward-mode', create_graph=True)",
             "jacobian(exp_reducer, inputs, strategy='side')",
             "jacobian(exp_reducer, [1, 2])",
             "jacobian(exp_reducer, (inputs, 3))",
             "jacobian(lambda x: 3, inputs)",
             "hessian(exp_reducer, inputs)",
             "hessian(lambda x: (x.sum(), x.sum()), inputs)",
             "hessian(lambda x: x.sum() * 2, inputs, strict=True)",
             "vjp(exp_reducer, inputs)",
             "vjp(exp_reducer, inputs, torch.ones(3))",
             "vjp(exp_reducer, inputs, (torch.ones(2), torch.ones(2)))",
             "vjp(lambda x, y: (x, y), (inputs, inputs), (torch.ones(2, 2), torch.ones(3)))",
             "jvp(exp_reducer, inputs)",
             "hvp(exp_reducer, inputs, torch.ones(2, 2))",
             "vhp(lambda x: x.sum(), inputs, torch.ones(2, 2), strict=True)",
             "hvp(lambda x: (x ** 2).sum(), inputs, torch.ones(2, 2), strict=True)",
             "jvp(lambda x: x.detach(), inputs, torch.ones(2, 2), strict=True)",
             "vjp(lambda x: x.detach() * 2, inputs, torch.ones(2, 2), strict=True)"]:
    try:
        print(eval(expr))
    except Exception as e:
        print(type(e).__name__, e)
"""),
]
