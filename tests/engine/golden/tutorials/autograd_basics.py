"""Autograd from the ground up: a graph, its grad_fns, gradients of leaves and of an
intermediate, accumulation, no_grad and detach, and torch.autograd.grad."""
import torch

a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(3.0, requires_grad=True)
c = a * b
d = c + a ** 2
c.retain_grad()
print(d, d.grad_fn, d.grad_fn.next_functions)
d.backward()
print(a.grad, b.grad, c.grad)

d = (a * b + a ** 2)
d.backward()
print("accumulated:", a.grad)
a.grad = None

with torch.no_grad():
    e = a * 10
print(e.requires_grad, e.grad_fn)
f = a.detach() * b
print(f.requires_grad, f.grad_fn)

x = torch.linspace(0, 1, 5, requires_grad=True)
y = torch.sin(x).sum()
(gx,) = torch.autograd.grad(y, x, create_graph=True)
print(gx)
(g2,) = torch.autograd.grad(gx.sum(), x)
print(g2)
print(torch.allclose(g2, -torch.sin(x)))
try:
    d.backward()
except RuntimeError as err:
    print("second backward:", str(err)[:60])
