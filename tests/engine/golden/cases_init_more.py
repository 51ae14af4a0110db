"""nn.init beyond the first set: eye_, dirac_ (groups, 3-5 dims), orthogonal_ (torch's normal
draw, QR and sign fix: seeded values are torch's), trunc_normal_ (torch 2.13's redraw and
rejection samplers: seeded values are torch's, and the generator moves on as far), sparse_
(randperm per column from the global generator), with generator= and torch's errors."""

TOPIC = "init_more"

CASES = [
    ("eye_and_dirac", """
torch.manual_seed(0)
print(torch.nn.init.eye_(torch.empty(3, 5)))
print(torch.nn.init.eye_(torch.empty(4, 2, requires_grad=True)))
print(torch.nn.init.dirac_(torch.empty(2, 3, 3)))
print(torch.nn.init.dirac_(torch.empty(4, 2, 3, 3), groups=2).sum())
print(torch.nn.init.dirac_(torch.empty(2, 2, 1, 3, 2))[1, 1])
"""),
    ("orthogonal_shapes", """
for shape in [(3, 5), (5, 3), (4, 4), (2, 3, 2), (6, 1)]:
    torch.manual_seed(1)
    print(torch.nn.init.orthogonal_(torch.empty(*shape)))
print(torch.nn.init.orthogonal_(torch.empty(3, 3, dtype=torch.float64), gain=2.0))
print(torch.rand(2))
"""),
    ("orthogonal_in_a_layer", """
torch.manual_seed(0)
layer = torch.nn.Linear(4, 3)
torch.nn.init.orthogonal_(layer.weight, gain=torch.nn.init.calculate_gain('relu'))
print(layer.weight)
print(layer.weight.requires_grad, layer.weight.grad_fn)
"""),
    ("trunc_normal", """
torch.manual_seed(0)
print(torch.nn.init.trunc_normal_(torch.empty(3, 4)))
print(torch.nn.init.trunc_normal_(torch.empty(2, 3), std=0.02))
print(torch.nn.init.trunc_normal_(torch.empty(2, 8), mean=1.0, std=2.0, a=0.0, b=0.5))
print(torch.nn.init.trunc_normal_(torch.empty(200), std=1.0, a=-0.5, b=0.5).abs().max() <= 0.5)
print(torch.rand(2))
print(torch.nn.init.trunc_normal_(torch.empty(2, 3, dtype=torch.float64), a=-0.1, b=3.0))
"""),
    ("trunc_normal_far_mean_warns", """
torch.manual_seed(0)
print(torch.nn.init.trunc_normal_(torch.empty(2, 3), mean=10.0))
"""),
    ("sparse_and_generator", """
torch.manual_seed(0)
print(torch.nn.init.sparse_(torch.empty(4, 3), sparsity=0.5))
print(torch.rand(2))
g = torch.Generator().manual_seed(5)
print(torch.nn.init.orthogonal_(torch.empty(2, 2), generator=g))
print(torch.nn.init.trunc_normal_(torch.empty(3), generator=g))
print(torch.nn.init.orthogonal_(torch.empty(0, 3)))
"""),
    ("init_errors", """
for bad in ['torch.nn.init.eye_(torch.empty(3))', 'torch.nn.init.dirac_(torch.empty(3, 3))',
            'torch.nn.init.dirac_(torch.empty(3, 2, 2), groups=2)',
            'torch.nn.init.orthogonal_(torch.empty(3))',
            'torch.nn.init.sparse_(torch.empty(3), 0.1)']:
    try:
        eval(bad)
    except Exception as e:
        print(type(e).__name__, e)
"""),
]
