"""nn.ParameterList and nn.ParameterDict: their reprs (Parameter, Tensor and other objects),
append/extend/+=, indexing and slicing, the dict methods and update order, parameters(),
named_parameters() and state_dict() keys inside a model, gradients, and torch's errors."""

TOPIC = "parameter_containers"

CASES = [
    ("parameter_list", """
nn = torch.nn
torch.manual_seed(0)
pl = nn.ParameterList([nn.Parameter(torch.randn(2, 3)), torch.zeros(4), 'hello'])
print(pl)
pl.append(torch.ones(1, dtype=torch.float64))
pl += [nn.Parameter(torch.ones(2, 2))]
print(pl, len(pl))
print([n for n, _ in pl.named_parameters()], list(pl.state_dict()))
print(pl[1], pl[-1].shape, pl[1:3])
try: pl[10]
except IndexError as e: print('IndexError', e)
try: pl.extend(torch.ones(2))
except TypeError as e: print('TypeError', e)
try: pl(1)
except RuntimeError as e: print('RuntimeError', e)
"""),
    ("parameter_dict", """
nn = torch.nn
torch.manual_seed(0)
pd = nn.ParameterDict({'b': nn.Parameter(torch.ones(2)), 'a': torch.zeros(3, dtype=torch.float64)})
print(pd)
pd['c'] = torch.randn(1, 2)
pd.update([('z', torch.ones(1)), ('y', 3)])
print(pd, list(pd.keys()), 'a' in pd, len(pd))
print([n for n, _ in pd.named_parameters()], list(pd.state_dict()))
print(pd.pop('b'), list(pd))
print(pd.popitem()[0], list(pd))
try: pd[1]
except TypeError as e: print('TypeError', e)
"""),
    ("containers_in_a_model", """
nn = torch.nn
torch.manual_seed(0)
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.ws = nn.ParameterList([nn.Parameter(torch.randn(3, 3)) for _ in range(2)])
        self.bs = nn.ParameterDict({'first': nn.Parameter(torch.zeros(3))})
    def forward(self, x):
        for w in self.ws:
            x = x @ w
        return x + self.bs['first']
net = Net()
print(net)
print([(n, tuple(p.shape)) for n, p in net.named_parameters()])
print(list(net.state_dict().keys()))
y = net(torch.ones(1, 3)); y.sum().backward(); print(net.ws[0].grad)
print(nn.ParameterDict(), nn.ParameterList())
print(pd | nn.ParameterDict({'q': torch.ones(1)}))
"""),
]
