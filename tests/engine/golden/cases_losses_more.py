"""Losses and distances beyond the first set: smooth_l1 (beta), huber (delta, weight), kl_div
(every reduction, log_target), soft_margin, l1 (weight), cosine_similarity and
pairwise_distance, as functions and layers: values, grad_fn names (torch builds kl_div,
cosine_similarity and pairwise_distance from ordinary ops: their graphs are printed node by
node), gradients, dtypes, broadcasting warnings and the errors of wrong shapes and dtypes."""

TOPIC = "losses_more"

_X = "x = torch.tensor([[0.5, -1.5, 2.0, 0.1], [3.0, 0.2, -0.7, -2.5]], requires_grad=True)\n"
_T = "t = torch.tensor([[0.0, -1.0, 0.5, 0.3], [1.0, 0.0, -0.6, 0.5]])\n"
_GRAPH = (
    "def graph(fn, depth=0):\n"
    "    if fn is None or depth > 8:\n        return\n"
    "    print('  ' * depth + fn.name())\n"
    "    for nxt, _ in fn.next_functions:\n        graph(nxt, depth + 1)\n"
)


def _loss(call: str, grads: str = "x") -> str:
    """A loss of x and t: its value and grad_fn, then the gradient(s)."""
    return (_X + _T + f"loss = {call}\nprint(loss)\n"
            "loss.backward()\n" + "".join(f"print({g}.grad)\n" for g in grads.split()))


def _long(call: str) -> str:
    """40 values: the loss kernels' SIMD and scalar parts both run."""
    return ("x = (torch.arange(40.) / 7 - 2.5).requires_grad_()\n"
            "t = torch.arange(40.).remainder(3) - 1\n"
            f"loss = {call}\nprint(loss.item())\nloss.backward()\nprint(x.grad)")


CASES = [
    # -- smooth_l1 ---------------------------------------------------------------------------
    ("smooth_l1_mean", _loss("F.smooth_l1_loss(x, t)")),
    ("smooth_l1_beta", _loss("F.smooth_l1_loss(x, t, beta=0.5, reduction='sum')")),
    ("smooth_l1_none", _loss("F.smooth_l1_loss(x, t, reduction='none', beta=2.0)\n"
                             "loss = loss.sum()")),
    ("smooth_l1_long_vector_and_tail", _long("F.smooth_l1_loss(x, t, beta=0.3)")),
    ("smooth_l1_long_float64",
     _long("F.smooth_l1_loss(x.double(), t.double(), beta=0.7, reduction='sum')")),
    ("smooth_l1_target_grad",
     _X + _T + "t.requires_grad_()\nloss = F.smooth_l1_loss(x, t, beta=0.5)\nloss.backward()\n"
     "print(x.grad)\nprint(t.grad)"),
    ("smooth_l1_beta_zero_is_l1",
     _X + _T + _GRAPH + "graph(F.smooth_l1_loss(x, t, beta=0.0).grad_fn)\n"
     "print(F.smooth_l1_loss(x, t, beta=0.0), F.l1_loss(x, t))"),
    ("smooth_l1_layer",
     _X + _T + "import torch.nn as nn\nloss_fn = nn.SmoothL1Loss(beta=0.5)\nprint(loss_fn)\n"
     "print(loss_fn(x, t), loss_fn.beta, loss_fn.reduction)\n"
     "print(nn.SmoothL1Loss(reduction='none')(x, t))"),
    ("smooth_l1_saved_values",
     _X + _T + "fn = F.smooth_l1_loss(x, t, beta=0.5).grad_fn\n"
     "print(fn._saved_beta, fn._saved_reduction)\nprint(fn._saved_target)"),
    ("smooth_l1_broadcast_warns",
     _X + "loss = F.smooth_l1_loss(x, torch.tensor([0.0, 1.0, 0.0, 1.0]))\nprint(loss)\n"
     "loss.backward()\nprint(x.grad)"),
    ("smooth_l1_float64_and_float32_promote",
     _X + _T + "loss = F.smooth_l1_loss(x, t.double())\nprint(loss)\nloss.backward()\n"
     "print(x.grad)"),
    ("smooth_l1_long_target_promotes",
     _X + "print(F.smooth_l1_loss(x, torch.tensor([[0, 1, 2, 0], [1, 0, 0, 1]])))"),
    ("smooth_l1_legacy_size_average",
     _X + _T + "print(F.smooth_l1_loss(x, t, size_average=False))"),
    ("smooth_l1_empty_is_nan", "print(F.smooth_l1_loss(torch.ones(0), torch.ones(0)))"),
    ("smooth_l1_shape_mismatch_error", _X + "F.smooth_l1_loss(x, torch.ones(3))"),
    ("smooth_l1_long_inputs_error",
     "F.smooth_l1_loss(torch.ones(2, dtype=torch.long), torch.ones(2, dtype=torch.long))"),
    ("smooth_l1_negative_beta_error", _X + _T + "F.smooth_l1_loss(x, t, beta=-1.0)"),
    ("smooth_l1_bad_reduction_error", _X + _T + "F.smooth_l1_loss(x, t, reduction='avg')"),
    ("smooth_l1_list_input_error", _T + "F.smooth_l1_loss([1.0], t)"),
    # -- huber -------------------------------------------------------------------------------
    ("huber_mean", _loss("F.huber_loss(x, t)")),
    ("huber_delta_sum", _loss("F.huber_loss(x, t, delta=0.5, reduction='sum')")),
    ("huber_long_vector_and_tail", _long("F.huber_loss(x, t, delta=0.3)")),
    ("huber_long_float64", _long("F.huber_loss(x.double(), t.double(), delta=1.7)")),
    ("huber_target_grad",
     _X + _T + "t.requires_grad_()\nF.huber_loss(x, t, delta=0.5).backward()\nprint(t.grad)"),
    ("huber_weight",
     _loss("F.huber_loss(x, t, delta=0.5, weight=torch.tensor([[1., 2., 0., 1.], "
           "[0.5, 1., 1., 3.]]))")),
    ("huber_layer_and_smooth_l1_relation",
     _X + _T + "import torch.nn as nn\nh = nn.HuberLoss(delta=2.0)\nprint(h)\n"
     "print(h(x, t), F.smooth_l1_loss(x, t, beta=2.0) * 2)"),
    ("huber_layer_delta_type_error", "torch.nn.HuberLoss(delta='1')"),
    ("huber_zero_delta_error", _X + _T + "F.huber_loss(x, t, delta=0.0)"),
    ("huber_weight_shape_error", _X + _T + "F.huber_loss(x, t, weight=torch.ones(4))"),
    ("huber_long_inputs_error",
     "F.huber_loss(torch.ones(2, dtype=torch.long), torch.zeros(2, dtype=torch.long))"),
    # -- soft margin -------------------------------------------------------------------------
    ("soft_margin_mean",
     _X + "y = torch.tensor([[1., -1., 1., -1.], [-1., 1., 1., -1.]])\n"
     "loss = F.soft_margin_loss(x, y)\nprint(loss)\nloss.backward()\nprint(x.grad)"),
    ("soft_margin_sum_none",
     _X + "y = torch.tensor([[1., -1., 1., -1.], [-1., 1., 1., -1.]])\n"
     "print(F.soft_margin_loss(x, y, reduction='none'))\n"
     "F.soft_margin_loss(x, y, reduction='sum').backward()\nprint(x.grad)"),
    ("soft_margin_layer_long_labels",
     _X + "import torch.nn as nn\nloss_fn = nn.SoftMarginLoss()\nprint(loss_fn)\n"
     "print(loss_fn(x, torch.tensor([[1, -1, 1, -1], [-1, 1, 1, -1]])))"),
    ("soft_margin_float64", _X + "print(F.soft_margin_loss(x.double(), torch.ones(2, 4)))"),
    ("soft_margin_target_requires_grad_error",
     _X + "F.soft_margin_loss(x, torch.ones(2, 4, requires_grad=True))"),
    ("soft_margin_long_input_error",
     "F.soft_margin_loss(torch.ones(2, dtype=torch.long), torch.ones(2, dtype=torch.long))"),
    ("soft_margin_target_larger_error", _X + "F.soft_margin_loss(x[0], torch.ones(2, 4))"),
    # -- kl_div ------------------------------------------------------------------------------
    ("kl_div_batchmean",
     "logits = torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 0.3]], requires_grad=True)\n"
     "p = torch.tensor([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])\n"
     "loss = F.kl_div(F.log_softmax(logits, dim=1), p, reduction='batchmean')\n"
     "print(loss)\nloss.backward()\nprint(logits.grad)"),
    ("kl_div_mean_warns",
     "q = torch.tensor([[0.2, 0.5, 0.3]]).log().requires_grad_()\n"
     "p = torch.tensor([[0.1, 0.1, 0.8]])\nloss = F.kl_div(q, p)\nprint(loss)\n"
     "loss.backward()\nprint(q.grad)"),
    ("kl_div_sum_none",
     "q = torch.tensor([[0.2, 0.5, 0.3], [0.3, 0.3, 0.4]]).log()\n"
     "p = torch.tensor([[0.1, 0.0, 0.9], [0.3, 0.3, 0.4]])\n"
     "print(F.kl_div(q, p, reduction='sum'))\nprint(F.kl_div(q, p, reduction='none'))"),
    ("kl_div_log_target",
     "q = torch.tensor([[0.2, 0.5, 0.3]]).log().requires_grad_()\n"
     "p = torch.tensor([[0.1, 0.1, 0.8]]).log().requires_grad_()\n"
     "loss = F.kl_div(q, p, reduction='batchmean', log_target=True)\nprint(loss)\n"
     "loss.backward()\nprint(q.grad, p.grad)"),
    ("kl_div_graphs",
     _GRAPH + "q = torch.tensor([[0.2, 0.8]]).log().requires_grad_()\n"
     "p = torch.tensor([[0.5, 0.5]], requires_grad=True)\n"
     "graph(F.kl_div(q, p, reduction='batchmean').grad_fn)\n"
     "graph(F.kl_div(q, p, reduction='sum', log_target=True).grad_fn)\n"
     "graph(F.kl_div(q, p.detach(), reduction='none').grad_fn)"),
    ("kl_div_target_grad",
     "q = torch.tensor([[0.2, 0.8]]).log()\np = torch.tensor([[0.5, 0.5]], requires_grad=True)\n"
     "F.kl_div(q, p, reduction='batchmean').backward()\nprint(p.grad)"),
    ("kl_div_layer",
     "import torch.nn as nn\nkl = nn.KLDivLoss(reduction='batchmean', log_target=True)\n"
     "print(kl, kl.reduction, kl.log_target)\n"
     "print(kl(torch.tensor([[0.5, 0.5]]).log(), torch.tensor([[0.9, 0.1]]).log()))"),
    ("kl_div_scalar_batchmean",
     "print(F.kl_div(torch.tensor(0.5), torch.tensor(0.2), reduction='batchmean'))"),
    ("kl_div_zero_target_gives_zero",
     "print(F.kl_div(torch.tensor([-1.0, -2.0]), torch.tensor([0.0, 1.0]), reduction='none'))"),
    ("kl_div_legacy_reduce",
     "print(F.kl_div(torch.tensor([-1.0]), torch.tensor([0.5]), size_average=False))"),
    ("kl_div_integral_error", "F.kl_div(torch.ones(2), torch.ones(2, dtype=torch.long))"),
    ("kl_div_shape_error", "F.kl_div(torch.ones(2, 4), torch.ones(3), reduction='sum')"),
    ("kl_div_bad_reduction_error", "F.kl_div(torch.ones(2), torch.ones(2), reduction='avg')"),
    ("xlogy",
     "x = torch.tensor([0., 1., 2.], requires_grad=True)\ny = torch.xlogy(x, x)\nprint(y)\n"
     "y.sum().backward()\nprint(x.grad)\n"
     "print(torch.xlogy(torch.tensor([0., 2.]), torch.tensor([0., float('nan')])))"),
    # -- l1 ----------------------------------------------------------------------------------
    ("l1_weight", _loss("F.l1_loss(x, t, weight=torch.tensor([[1., 2., 0., 1.], "
                        "[0.5, 1., 1., 3.]]))")),
    ("l1_broadcast_warns", _X + "print(F.l1_loss(x, torch.ones(4)))"),
    # -- cosine similarity -------------------------------------------------------------------
    ("cosine_similarity_rows",
     _X + _T + "t.requires_grad_()\ns = F.cosine_similarity(x, t)\nprint(s)\n"
     "s.sum().backward()\nprint(x.grad)\nprint(t.grad)"),
    ("cosine_similarity_dim0_eps",
     _X + _T + "s = F.cosine_similarity(x, t, dim=0, eps=1e-3)\nprint(s)\n"
     "(s * torch.arange(4.)).sum().backward()\nprint(x.grad)"),
    ("cosine_similarity_graph",
     _X + _T + _GRAPH + "graph(F.cosine_similarity(x, t).grad_fn)\n"
     "graph(torch.cosine_similarity(x, torch.ones(1, 4), dim=1).grad_fn)"),
    ("cosine_similarity_zero_vector", "print(F.cosine_similarity(torch.zeros(2, 3), "
     "torch.ones(2, 3)))"),
    ("cosine_similarity_1d_and_float64",
     "a = torch.tensor([1., 2., 3.], dtype=torch.float64)\n"
     "print(F.cosine_similarity(a, torch.tensor([3., 2., 1.]), dim=0))\n"
     "print(torch.cosine_similarity(torch.tensor([1, 2]), torch.tensor([2., 1.]), dim=0))"),
    ("cosine_similarity_layer",
     _X + _T + "import torch.nn as nn\ncos = nn.CosineSimilarity(dim=1, eps=1e-6)\nprint(cos)\n"
     "print(cos(x, t), cos.dim, cos.eps)"),
    ("cosine_similarity_embeddings",
     "emb = torch.tensor([[0.1, 0.9, 0.3], [0.8, 0.1, 0.5], [0.2, 0.8, 0.2]])\n"
     "query = emb[0:1]\nsims = F.cosine_similarity(query, emb)\nprint(sims)\n"
     "print(sims.argsort(descending=True))"),
    ("cosine_similarity_long_error",
     "F.cosine_similarity(torch.ones(2, 3, dtype=torch.long), torch.ones(2, 3, "
     "dtype=torch.long))"),
    ("cosine_similarity_shape_error", _X + "F.cosine_similarity(x, torch.ones(3))"),
    ("cosine_similarity_dim_error", _X + "F.cosine_similarity(x, x, dim=2)"),
    ("cosine_similarity_1d_default_dim_error",
     "F.cosine_similarity(torch.ones(3), torch.ones(3))"),
    ("cosine_similarity_negative_eps_error", _X + "F.cosine_similarity(x, x, eps=-1.0)"),
    # -- pairwise distance -------------------------------------------------------------------
    ("pairwise_distance_rows",
     _X + _T + "t.requires_grad_()\nd = F.pairwise_distance(x, t)\nprint(d)\n"
     "d.sum().backward()\nprint(x.grad)\nprint(t.grad)"),
    ("pairwise_distance_graph_and_saved",
     _X + _T + _GRAPH + "d = F.pairwise_distance(x, t, keepdim=True)\nprint(d)\n"
     "graph(d.grad_fn)\nprint(d.grad_fn._saved_p, d.grad_fn._saved_dim, "
     "d.grad_fn._saved_keepdim)"),
    ("pairwise_distance_p1_pinf_p3",
     _X + _T + "for p in (1.0, float('inf'), 3.0, 0.5):\n"
     "    x.grad = None\n    d = F.pairwise_distance(x, t, p=p)\n    d.sum().backward()\n"
     "    print(p, d, x.grad)"),
    ("pairwise_distance_p0_and_negative_p",
     _X + _T + "print(F.pairwise_distance(x, t, p=0.0), F.pairwise_distance(x, t, p=-1.0))"),
    ("pairwise_distance_shapes",
     "print(F.pairwise_distance(torch.ones(3), torch.zeros(3)))\n"
     "print(F.pairwise_distance(torch.tensor(1.), torch.tensor(0.)))\n"
     "print(F.pairwise_distance(torch.ones(2, 3, 4), torch.zeros(4)).shape)\n"
     "print(F.pairwise_distance(torch.ones(2, 3), torch.zeros(2, 3), eps=0.0))"),
    ("pairwise_distance_long_inputs",
     "print(F.pairwise_distance(torch.ones(2, 3, dtype=torch.long), torch.zeros(2, 3, "
     "dtype=torch.long)))"),
    ("pairwise_distance_layer_triplet",
     "import torch.nn as nn\npdist = nn.PairwiseDistance(p=2)\nprint(pdist)\n"
     "anchor = torch.tensor([[0., 1.], [1., 1.]], requires_grad=True)\n"
     "pos = torch.tensor([[0., 1.5], [1., 0.]])\nneg = torch.tensor([[2., 2.], [1., 1.2]])\n"
     "loss = torch.clamp(pdist(anchor, pos) - pdist(anchor, neg) + 1.0, min=0).mean()\n"
     "print(loss)\nloss.backward()\nprint(anchor.grad)"),
    ("pairwise_distance_shape_error", _X + "F.pairwise_distance(x, torch.ones(3))"),
    # -- cdist -------------------------------------------------------------------------------
    ("cdist_euclidean",
     _X + "y = torch.tensor([[0., 0., 0., 0.], [1., -1., 1., -1.], [0.5, 0.5, 0.5, 0.5]], "
     "requires_grad=True)\nd = torch.cdist(x, y)\nprint(d)\n"
     "(d * torch.tensor([[1., 2., 3.], [-1., 0.5, 2.]])).sum().backward()\n"
     "print(x.grad)\nprint(y.grad)"),
    ("cdist_p1_pinf_p0",
     _X + _T + "for p in (1.0, float('inf'), 0.0):\n    x.grad = None\n"
     "    d = torch.cdist(x, t, p=p)\n    d.sum().backward()\n    print(p, d, x.grad)"),
    ("cdist_batched_broadcast",
     "a = torch.arange(12.).reshape(2, 3, 2) / 5\nb = torch.tensor([[0., 1.], [1., 0.]])\n"
     "d = torch.cdist(a, b)\nprint(d.shape)\nprint(d)"),
    ("cdist_many_rows_uses_a_matrix_product",
     _GRAPH + "a = (torch.arange(60.).reshape(30, 2) / 7).requires_grad_()\n"
     "b = torch.tensor([[0., 1.], [2., 0.5]])\nd = torch.cdist(a, b)\ngraph(d.grad_fn)\n"
     "print(d[:4])\nd.sum().backward()\nprint(a.grad[:4])\n"
     "print(torch.cdist(a, b, compute_mode='donot_use_mm_for_euclid_dist').grad_fn.name())\n"
     "print(torch.cdist(a[:3], b, compute_mode='use_mm_for_euclid_dist').grad_fn.name())"),
    ("cdist_zero_distance_gradient",
     "a = torch.tensor([[1., 2.]], requires_grad=True)\nd = torch.cdist(a, a.detach())\n"
     "print(d)\nd.sum().backward()\nprint(a.grad)"),
    ("cdist_1d_error", "torch.cdist(torch.ones(3), torch.ones(3))"),
    ("cdist_columns_error", "torch.cdist(torch.ones(3, 2), torch.ones(3, 3))"),
    ("cdist_long_error",
     "torch.cdist(torch.ones(3, 2, dtype=torch.long), torch.ones(3, 2, dtype=torch.long))"),
    ("cdist_negative_p_error", "torch.cdist(torch.ones(3, 2), torch.ones(3, 2), p=-1)"),
    ("cdist_dtype_mismatch_error",
     "torch.cdist(torch.ones(2, 3), torch.ones(2, 3, dtype=torch.float64))"),
    ("cdist_compute_mode_error",
     "torch.cdist(torch.ones(2, 3), torch.ones(2, 3), compute_mode='fast')"),
]
