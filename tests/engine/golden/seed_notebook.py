#!/usr/bin/env python
# ruff: noqa  -- the notebook's cells verbatim: bare expressions are what a notebook echoes.
# The seed notebook "1. Variables and Gradients" saved as a script (nbconvert style), unchanged.
# gradtui's promise: `gradtui run` on this file prints what `python` with torch 2.13 prints.

# In[1]:

import torch
from torch.autograd import Variable

# In[2]:

a = Variable(torch.ones((3, 2)), requires_grad=True)
a

# In[3]:

type(a)

# In[4]:

b = Variable(torch.ones((3, 2)), requires_grad=True)
b

# In[6]:

print(a+b)
print(torch.add(a, b))

# In[7]:

print(a*b)
print(torch.mul(a, b))

# In[34]:

x = Variable(torch.ones((2)), requires_grad=True)
x

# In[35]:

y = 5 * (x + 1) ** 2
y

# In[36]:

o = (1/2) * torch.sum(y)
o

# In[37]:

o.backward()
x.grad

# In[38]:

o.backward(torch.FloatTensor([1.0, 1.0]))
x.grad
