"""Idioms from the tutorials a learner reads next (old and new styles) and classic pitfalls."""

TOPIC = "tutorial"

CASES = [
    ("backward_ones_like",
     "x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x ** 2\n"
     "y.backward(torch.ones_like(y))\nprint(x.grad)"),
    ("old_style_grad_data_zero",
     "w = torch.tensor([1., 2.], requires_grad=True)\n(w * 3).sum().backward()\n"
     "w.grad.data.zero_()\nprint(w.grad)"),
    ("old_style_data_update",
     "w = torch.tensor([1., 2.], requires_grad=True)\n(w * w).sum().backward()\n"
     "w.data -= 0.1 * w.grad.data\nprint(w)\nprint(w.is_leaf, w.grad)"),
    ("loss_item_float",
     "pred = torch.tensor([0.5, 1.5])\nloss = F.mse_loss(pred, torch.tensor([1., 1.]))\n"
     "print(loss.item())\nprint(f'{loss.item():.4f}')\nprint(round(loss.item(), 2))"),
    ("item_of_sum_float32_widened", "print(torch.tensor([0.1, 0.2]).sum().item())"),
    ("grad_numpy", "x = torch.ones(2, requires_grad=True)\n(3 * x).sum().backward()\n"
     "print(x.grad.numpy())\nprint(x.detach().numpy())"),
    ("numpy_float64_print", "print(torch.tensor([0.1], dtype=torch.float64).numpy())"),
    ("numpy_2d_print", "print(torch.arange(6.).reshape(2, 3).numpy())"),
    ("reassign_makes_nonleaf_pitfall",
     "x = torch.ones(2, requires_grad=True) * 2\nx.sum().backward()\n"
     "print(x.is_leaf, x.grad)"),
    ("reassign_name_is_leaf",
     "x = torch.ones(2, requires_grad=True)\nprint(x.is_leaf)\nx = x * 2\nprint(x.is_leaf)"),
    ("training_loop_linear_regression",
     "X = torch.tensor([[1.], [2.], [3.], [4.]])\nY = 2 * X + 1\n"
     "w = torch.zeros(1, requires_grad=True)\nb = torch.zeros(1, requires_grad=True)\n"
     "for epoch in range(20):\n    loss = ((X * w + b - Y) ** 2).mean()\n"
     "    loss.backward()\n    with torch.no_grad():\n        w -= 0.05 * w.grad\n"
     "        b -= 0.05 * b.grad\n    w.grad.zero_()\n    b.grad.zero_()\n"
     "    if epoch % 5 == 0:\n        print(epoch, loss.item())\nprint(w, b)"),
    ("forgot_zero_grad_accumulates",
     "w = torch.tensor(1., requires_grad=True)\nfor _ in range(3):\n"
     "    (w * 2).backward()\n    print(w.grad)"),
    ("to_cpu_and_device",
     "t = torch.ones(2)\nprint(t.to('cpu'), t.cpu() is t, t.device)"),
    ("to_dtype_keyword", "print(torch.tensor([1, 2]).to(dtype=torch.float32))"),
    ("tensor_requires_grad_then_ops_print",
     "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\ny = x + 2\nz = y * y * 3\n"
     "out = z.mean()\nprint(y)\nprint(z)\nprint(out)\nout.backward()\nprint(x.grad)"),
    ("vector_jacobian_product",
     "x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x * 2\n"
     "v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)\ny.backward(v)\nprint(x.grad)"),
    ("requires_grad_toggle",
     "a = torch.tensor([2., 3.])\nprint(a.requires_grad)\na.requires_grad_(True)\n"
     "print(a.requires_grad)\nb = (a * a).sum()\nprint(b.grad_fn.name())"),
    ("detach_vs_no_grad",
     "x = torch.ones(2, requires_grad=True)\ny = x.detach()\nprint(y.requires_grad)\n"
     "with torch.no_grad():\n    print((x ** 2).requires_grad)\nprint((x ** 2).requires_grad)"),
    ("softmax_probabilities_sum",
     "logits = torch.tensor([[2.0, 1.0, 0.1]])\np = F.softmax(logits, dim=1)\n"
     "print(p, p.sum())"),
    ("cross_entropy_from_logits",
     "logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True)\n"
     "loss = F.cross_entropy(logits, torch.tensor([0, 1]))\nprint(loss)\nloss.backward()\n"
     "print(logits.grad)"),
    ("argmax_accuracy",
     "logits = torch.tensor([[2.0, 1.0], [0.5, 2.5], [3., 0.]])\n"
     "pred = logits.max(1)[1]\nprint(pred, (pred == torch.tensor([0, 1, 1])).float().mean())"),
    ("norm_and_square",
     "x = torch.tensor([3., 4.], requires_grad=True)\nn = x.norm()\nprint(n)\n"
     "print(n.grad_fn.name())\nn.backward()\nprint(x.grad)"),
    ("loss_item_each_epoch_ten_points",
     "x = torch.arange(10.).reshape(10, 1)\ny = 3 * x + 2\n"
     "w = torch.zeros(1, requires_grad=True)\nb = torch.zeros(1, requires_grad=True)\n"
     "for epoch in range(5):\n    loss = ((x * w + b - y) ** 2).mean()\n    loss.backward()\n"
     "    with torch.no_grad():\n        w -= 0.01 * w.grad\n        b -= 0.01 * b.grad\n"
     "    w.grad.zero_()\n    b.grad.zero_()\n    print(epoch, loss.item())"),
    ("sum_item_of_many_values",
     "t = torch.arange(1, 41.) / 7\nprint(t.sum().item(), t.mean().item())\n"
     "print(t.reshape(4, 10).sum(1).tolist())"),
    # The first lines of most tutorials pick a device.
    ("device_selection_idiom",
     "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\nprint(device)\n"
     "x = torch.ones(2, requires_grad=True).to(device)\nprint(x, x.device, x.is_leaf)\n"
     "print(torch.cuda.is_available(), torch.cuda.device_count())"),
    ("mps_availability", "print(torch.backends.mps.is_available())"),
    ("cuda_tensor_error", "torch.ones(2).cuda()"),
    ("to_cuda_error", "torch.ones(2).to('cuda')"),
    ("cuda_factory_error", "torch.zeros(2, device='cuda')"),
    ("mlp_training_loss_items",
     "X = torch.tensor([[0.5, -1.2, 0.3, 0.9], [1.1, 0.4, -0.7, 0.2], [0.2, 0.9, 1.3, -0.4],\n"
     "                  [-0.6, 0.1, 0.8, 1.5], [0.3, 0.3, -0.2, -1.1], [1.4, -0.5, 0.6, 0.0]])\n"
     "y = torch.tensor([0, 1, 2, 1, 0, 2])\n"
     "w1 = [[0.1 * ((i * 7 + j * 3) % 5 - 2) for j in range(4)] for i in range(8)]\n"
     "w2 = [[0.1 * ((i * 5 + j) % 7 - 3) for j in range(8)] for i in range(3)]\n"
     "W1 = torch.tensor(w1, requires_grad=True)\n"
     "b1 = torch.zeros(8, requires_grad=True)\n"
     "W2 = torch.tensor(w2, requires_grad=True)\n"
     "b2 = torch.zeros(3, requires_grad=True)\n"
     "for step in range(20):\n"
     "    h = F.relu(X @ W1.t() + b1)\n"
     "    logits = h @ W2.t() + b2\n"
     "    loss = F.cross_entropy(logits, y)\n"
     "    loss.backward()\n"
     "    with torch.no_grad():\n"
     "        for p in (W1, b1, W2, b2):\n"
     "            p -= 0.5 * p.grad\n"
     "            p.grad.zero_()\n"
     "    if step % 5 == 0:\n"
     "        print(step, loss.item())\n"
     "acc = (logits.argmax(1) == y).float().mean().item()\n"
     "print(acc)\n"
     "print(W2)"),
    ("linear_regression_mse_loss_items",
     "X = torch.tensor([[1., 2.], [2., 1.], [3., 4.], [4., 3.], [5., 5.]])\n"
     "y = torch.tensor([[5.], [4.], [11.], [10.], [15.]])\n"
     "w = torch.zeros(2, 1, requires_grad=True)\n"
     "b = torch.zeros(1, requires_grad=True)\n"
     "for epoch in range(30):\n"
     "    pred = X @ w + b\n"
     "    loss = F.mse_loss(pred, y)\n"
     "    loss.backward()\n"
     "    with torch.no_grad():\n"
     "        w -= 0.01 * w.grad\n"
     "        b -= 0.01 * b.grad\n"
     "        w.grad.zero_()\n"
     "        b.grad.zero_()\n"
     "    if epoch % 10 == 0:\n"
     "        print(epoch, loss.item())\n"
     "print(w.detach().tolist())"),
    ("logistic_regression_manual_bce_items",
     "X = torch.tensor([[0.5, 1.5], [1.0, 1.0], [1.5, 0.5], [3.0, 0.5], [2.0, 2.0], [0.2, 3.0]])\n"
     "y = torch.tensor([0., 0., 0., 1., 1., 0.])\n"
     "w = torch.zeros(2, requires_grad=True)\n"
     "b = torch.tensor(0., requires_grad=True)\n"
     "for epoch in range(30):\n"
     "    p = torch.sigmoid(X @ w + b)\n"
     "    loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()\n"
     "    loss.backward()\n"
     "    with torch.no_grad():\n"
     "        w -= 0.5 * w.grad\n"
     "        b -= 0.5 * b.grad\n"
     "    w.grad.zero_()\n"
     "    b.grad.zero_()\n"
     "    if epoch % 10 == 0:\n"
     "        print(epoch, loss.item())\n"
     "print(w.detach().tolist())"),
]
