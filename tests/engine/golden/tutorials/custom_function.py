"""A custom autograd.Function, as the "Extending PyTorch" tutorial writes one: a clipped
ReLU whose backward we write ourselves, checked against autograd's own, then used in a model."""
import torch


class ClippedReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, limit):
        ctx.save_for_backward(x)
        ctx.limit = limit
        return x.clamp(min=0, max=limit)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        mask = (x > 0) & (x < ctx.limit)
        return grad_output * mask, None


torch.manual_seed(1)
x = torch.randn(6, requires_grad=True)
y = ClippedReLU.apply(x, 0.5)
print(y)
print(y.grad_fn)
y.sum().backward()
print("ours:   ", x.grad)

x2 = x.detach().clone().requires_grad_()
x2.clamp(min=0, max=0.5).sum().backward()
print("torch's:", x2.grad)
print(torch.equal(x.grad, x2.grad))

w = torch.randn(3, 6, requires_grad=True)
for step in range(3):
    out = ClippedReLU.apply((w * torch.ones(6)).sum(dim=1), 1.0)
    loss = (out - 0.25).pow(2).sum()
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
        w.grad.zero_()
    print(f"step {step}: loss {loss.item():.6f}")
