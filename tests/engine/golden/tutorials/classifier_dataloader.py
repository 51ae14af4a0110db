"""A small classifier trained with a DataLoader: two Gaussian blobs, an MLP, cross entropy,
Adam, shuffled mini-batches and an accuracy at the end."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
n = 64
a = torch.randn(n, 2) + torch.tensor([2.0, 2.0])
b = torch.randn(n, 2) + torch.tensor([-2.0, -2.0])
features = torch.cat([a, b])
labels = torch.cat([torch.zeros(n, dtype=torch.long), torch.ones(n, dtype=torch.long)])
loader = DataLoader(TensorDataset(features, labels), batch_size=16, shuffle=True)

model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)

for epoch in range(5):
    total = 0.0
    for batch, target in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(batch), target)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch)
    print(f"epoch {epoch}: mean loss {total / len(features):.4f}")

with torch.no_grad():
    logits = model(features)
    predicted = logits.argmax(dim=1)
    accuracy = (predicted == labels).float().mean()
print("accuracy:", accuracy)
print(logits[:3])
print(torch.softmax(logits[:3], dim=1))
print(sum(p.numel() for p in model.parameters()), "parameters")
