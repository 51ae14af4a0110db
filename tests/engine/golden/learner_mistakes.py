# A learner's script with the warnings and the error beginners meet, run by `python` with torch
# 2.13 and by `gradtui run`: stdout, the warnings on stderr (attributed to the learner's lines),
# the learner's frames in the traceback, its last line and the exit status must all match.
import torch
import torch.nn.functional as F

x = torch.ones(2, requires_grad=True)
y = x * 2
print(y.grad)
print(F.softmax(torch.tensor([1., 2.])))
print(torch.tensor(x))


def train_step(loss):
    loss.backward()


for step in range(3):
    print(step, y.grad)  # the same warning from one line is shown once, as Python does

loss = y.sum()
train_step(loss)
print(x.grad)
train_step(loss)
