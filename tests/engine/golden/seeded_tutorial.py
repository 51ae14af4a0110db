"""A seeded tutorial, as the books write it: random data, a two-layer net, shuffled batches.

What it prints depends on torch's random generator at every step (the data, the initial weights,
the order of the batches, the dropout masks), so gradtui must print what torch prints. Losses
are printed to 4 decimals, as tutorials do: their 7th digit depends on MKL's order of additions
in the matrix products, which gradtui follows only for some shapes (docs/engine.md).
"""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

# data: y = 3 x0 - 2 x1 + 0.5 x2 + noise
X = torch.randn(64, 3)
true_w = torch.tensor([[3.0], [-2.0], [0.5]])
y = X @ true_w + 0.1 * torch.randn(64, 1)
print("first sample:", X[0], y[0])

model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 1))
print(model)
print("initial weight of the first layer:")
print(model[0].weight)

loader = DataLoader(TensorDataset(torch.arange(64), X, y), batch_size=16, shuffle=True)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
loss_fn = nn.MSELoss()

step = 0
for epoch in range(5):
    for i, (index, xb, yb) in enumerate(loader):
        if i == 0:
            print(f"epoch {epoch}, first batch:", index.tolist())
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        step += 1
        if step % 4 == 0:
            print(f"step {step:2d}  loss {loss.item():.4f}")

model.eval()
with torch.no_grad():
    print("final loss:", loss_fn(model(X), y))
    print("prediction for the first sample:", model(X[:1]))
print("dropout mask:", nn.Dropout(0.5)(torch.ones(10)))
print("a random permutation:", torch.randperm(8))
print("the generator's state:", torch.get_rng_state()[16:24])
