"""torch.save / torch.load round trips in memory (io.BytesIO), weights_only's default refusal
and its allow-list. gradtui's file format is its own: only what a learner sees is compared."""

TOPIC = "serialization"

_MODEL = (
    "import io\nimport torch.nn as nn\n"
    "torch.manual_seed(0)\n"
    "model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))\n"
    "with torch.no_grad():\n"
    "    for i, p in enumerate(model.parameters()):\n"
    "        p.copy_(torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape) / (i + 2))\n"
)

CASES = [
    ("state_dict_round_trip",
     _MODEL + "buf = io.BytesIO()\ntorch.save(model.state_dict(), buf)\nbuf.seek(0)\n"
     "sd = torch.load(buf)\nprint(type(sd).__name__, list(sd))\nprint(sd['0.weight'])\n"
     "fresh = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))\n"
     "print(fresh.load_state_dict(sd))\nprint(fresh(torch.ones(1, 2)))"),
    ("tensors_keep_dtype_and_requires_grad",
     "import io\nbuf = io.BytesIO()\n"
     "torch.save({'x': torch.ones(2, requires_grad=True), 'n': torch.arange(3),\n"
     "            'p': torch.nn.Parameter(torch.zeros(1)), 'lr': 0.1, 'tags': ['a', 'b'],\n"
     "            'shape': torch.Size([2, 3]), 'dtype': torch.float64}, buf)\n"
     "buf.seek(0)\nd = torch.load(buf)\nfor k, v in d.items():\n    print(k, type(v), v)"),
    ("whole_model_needs_weights_only_false",
     _MODEL + "buf = io.BytesIO()\ntorch.save(model, buf)\nbuf.seek(0)\n"
     "print(torch.load(buf, weights_only=False))\nbuf.seek(0)\ntorch.load(buf)"),
    ("optimizer_state_round_trip",
     _MODEL + "opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n"
     "model(torch.ones(4, 2)).sum().backward()\nopt.step()\n"
     "buf = io.BytesIO()\ntorch.save(opt.state_dict(), buf)\nbuf.seek(0)\n"
     "state = torch.load(buf)\nprint(state['param_groups'])\n"
     "print(state['state'][0]['momentum_buffer'])"),
    ("safe_globals_allow_a_class",
     "import io\nclass Box:\n    def __init__(self, v):\n        self.v = v\n"
     "buf = io.BytesIO()\ntorch.save(Box(torch.ones(1)), buf)\n"
     "with torch.serialization.safe_globals([Box]):\n"
     "    buf.seek(0)\n    print(torch.load(buf).v)\n"
     "buf.seek(0)\ntorch.load(buf)"),
]
