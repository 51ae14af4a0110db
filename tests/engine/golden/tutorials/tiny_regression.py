"""A tiny linear regression, the way a first tutorial writes it: y = 3x - 2 plus noise,
one nn.Linear, MSE loss, plain SGD."""
import torch
import torch.nn as nn

torch.manual_seed(42)
x = torch.linspace(-1, 1, 50).unsqueeze(1)
y = 3 * x - 2 + 0.1 * torch.randn(x.shape)

model = nn.Linear(1, 1)
print("initial weight:", model.weight.item(), "bias:", model.bias.item())
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for epoch in range(100):
    pred = model(x)
    loss = loss_fn(pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 20 == 0:
        print(f"epoch {epoch:3d}  loss {loss.item():.6f}")

w, b = model.weight.item(), model.bias.item()
print(f"learned: y = {w:.4f} x + {b:.4f}")
with torch.no_grad():
    print(model(torch.tensor([[0.5]])))
print(model.weight.grad)
print(model)
