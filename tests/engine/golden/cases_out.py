"""``out=`` (the PyTorch tensors tutorial writes ``torch.matmul(t, t.T, out=y3)``) and the
accelerator queries the tutorials make before moving tensors."""

TOPIC = "out"

CASES = [
    ("tensors_tutorial_out",
     "tensor = torch.ones(4, 4)\ntensor[:, 1] = 0\ny3 = torch.rand_like(tensor)\n"
     "r = torch.matmul(tensor, tensor.T, out=y3)\nprint(r is y3, y3)\n"
     "z3 = torch.rand_like(tensor)\ntorch.mul(tensor, tensor, out=z3)\nprint(z3)"),
    ("out_resized_with_warning",
     "o = torch.empty(3)\nprint(torch.add(torch.ones(2), 1, out=o), o.shape)"),
    ("out_empty_resized_silently",
     "o = torch.empty(0)\nprint(torch.cat([torch.ones(2), torch.zeros(1)], out=o))"),
    ("out_wider_dtype", "o = torch.zeros(2, dtype=torch.float64)\n"
     "print(torch.exp(torch.ones(2), out=o))\n"
     "print(torch.eq(torch.ones(2), 1, out=torch.empty(2)))"),
    ("out_narrower_dtype_error",
     "torch.mul(torch.ones(2), 2, out=torch.zeros(2, dtype=torch.int64))"),
    ("out_requires_grad_error",
     "a = torch.ones(2, requires_grad=True)\ntorch.mul(a, 2, out=torch.empty(2))"),
    ("out_under_no_grad",
     "a = torch.ones(2, requires_grad=True)\nwith torch.no_grad():\n"
     "    o = torch.add(a, 1, out=torch.empty(2))\nprint(o, o.requires_grad)"),
    ("out_not_a_tensor", "torch.mul(torch.ones(2), 2, out=[1, 2])"),
    ("out_version_bump",
     "o = torch.zeros(2)\nv = o._version\ntorch.sqrt(torch.tensor([4., 9.]), out=o)\n"
     "print(o, o._version > v)"),
    ("accelerator_queries",
     "print(torch.accelerator.is_available(), torch.accelerator.device_count())\n"
     "print(torch.accelerator.current_accelerator())\n"
     "device = torch.accelerator.current_accelerator().type "
     "if torch.accelerator.is_available() else 'cpu'\nprint(f'Using {device} device')"),
]
