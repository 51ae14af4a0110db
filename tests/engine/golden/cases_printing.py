"""Printing: torch 2.13's repr for every dtype, number mode, nesting, wrapping, summarisation,
empty and non-finite tensors, suffixes and their wrapping, and set_printoptions."""

TOPIC = "printing"

CASES = [
    # Number modes.
    ("int_mode_floats", "print(torch.tensor([1., 2., 3.]))"),
    ("int_mode_negative", "print(torch.tensor([-1., 2., -3.]))"),
    ("fixed_mode", "print(torch.tensor([0.5, 1.25, -3.125]))"),
    ("fixed_rounding", "print(torch.tensor([12345.6789, 0.99995]))"),
    ("fixed_rounding_ties", "print(torch.tensor([148.625, 1.5]))"),
    ("fixed_third", "print(torch.tensor([1 / 3, 2 / 3]))"),
    ("sci_small", "print(torch.tensor([1e-5, 1.]))"),
    ("sci_large", "print(torch.tensor([1e10, 1.]))"),
    ("sci_ratio_boundary_fixed", "print(torch.tensor([1000., 1.]))"),
    ("sci_ratio_boundary_sci", "print(torch.tensor([1001., 1.]))"),
    ("sci_ratio_1e5_1e2", "print(torch.tensor([1e5, 1e2]))\nprint(torch.tensor([1e5, 99.]))"),
    ("sci_1e8_fixed", "print(torch.tensor([1e8]))\nprint(torch.tensor([1e9]))"),
    ("sci_float32_1e4_boundary", "print(torch.tensor([1e-4]))\nprint(torch.tensor([0.00011]))"),
    ("sci_zeros_ignored", "print(torch.tensor([0., 1., 1000.]))\nprint(torch.tensor([0., 1e-5]))"),
    ("sci_negative", "print(torch.tensor([-1e10, 1.]))"),
    ("sci_huge_exponent",
     "print(torch.tensor([1e-100, 1.], dtype=torch.float64))\n"
     "print(torch.tensor([1e200], dtype=torch.float64))"),
    ("sci_mixed_fraction", "print(torch.tensor([123456.789, 0.001]))"),
    ("big_int_valued_fixed", "print(torch.tensor([100000000., 1.]))"),
    ("width_alignment", "print(torch.tensor([1., 10., 100.]))\nprint(torch.tensor([0.5, 10.25]))"),
    ("zero_only", "print(torch.zeros(3))\nprint(torch.tensor([0., -0.]))"),
    ("negative_zero", "print(torch.tensor(-0.))\nprint(torch.tensor([-0., 1.]))"),
    # Non-finite values.
    ("nan_with_fraction", "print(torch.tensor([float('nan'), 0.5]))"),
    ("nan_with_int", "print(torch.tensor([float('nan'), 1.]))"),
    ("inf_with_sci", "print(torch.tensor([float('inf'), 1e10]))"),
    ("inf_neg_fixed", "print(torch.tensor([float('-inf'), 0.25, 100.]))"),
    ("all_nonfinite",
     "print(torch.tensor([float('nan'), float('inf'), float('-inf')]))\n"
     "print(torch.tensor([float('inf'), float('-inf'), 1.]))"),
    ("nan_0d", "print(torch.tensor(float('nan')))\nprint(torch.tensor(float('inf')))"),
    # 0-d.
    ("zero_d_values",
     "for v in [20., 0.5, 1e10, 123.456, -2., 0.]:\n    print(torch.tensor(v))"),
    ("zero_d_int_bool", "print(torch.tensor(5), torch.tensor(-5), torch.tensor(True))"),
    ("zero_d_with_grad", "print(torch.tensor(2., requires_grad=True))"),
    # Integers and bools.
    ("int_alignment", "print(torch.tensor([-1, 200, 3]))"),
    ("bool_alignment", "print(torch.tensor([True, False]))\nprint(torch.tensor([True, True]))"),
    ("bool_2d", "print(torch.tensor([[True, False], [False, False]]))"),
    ("int_2d_alignment", "print(torch.tensor([[1, -20], [300, 4]]))"),
    ("large_int64", "print(torch.tensor([2**40, -1]))"),
    # Nesting.
    ("two_d", "print(torch.arange(6.).reshape(2, 3))"),
    ("three_d", "print(torch.arange(12).reshape(2, 3, 2))"),
    ("four_d", "print(torch.arange(16.).reshape(2, 2, 2, 2))"),
    ("three_d_fractions", "print(torch.arange(8.).reshape(2, 2, 2) / 3)"),
    ("single_element_nesting", "print(torch.ones(1, 1, 1))"),
    ("column_vector", "print(torch.arange(3.).reshape(3, 1))"),
    # Line wrapping.
    ("wrap_int64_1d", "print(torch.arange(30))"),
    ("wrap_float_1d", "print(torch.arange(30.))"),
    ("wrap_fixed_1d", "print(torch.arange(20.) / 7)"),
    ("wrap_sci_1d", "print(torch.arange(1, 21.) * 1e5)"),
    ("wrap_2d_rows", "print(torch.arange(40.).reshape(2, 20) / 3)"),
    ("wrap_sci_2d", "print(torch.arange(24.).reshape(2, 12) * 1e6)"),
    ("wrap_sci_3d", "print(torch.arange(24.).reshape(2, 1, 12) * 1e6)"),
    ("wrap_bool", "print(torch.arange(20) % 3 == 0)"),
    # Summarisation.
    ("summarize_1000_full", "print(torch.ones(1000).shape)\nt = torch.arange(1000)\n"
     "s = repr(t)\nprint(len(s), s.count('\\n'), '...' in s)"),
    ("summarize_1001", "print(torch.ones(1001))"),
    ("summarize_ones_2000", "print(torch.ones(2000))"),
    ("summarize_arange_2000", "print(torch.arange(2000))"),
    ("summarize_2d_100x100", "print(torch.arange(10000.).reshape(100, 100))"),
    ("summarize_2d_small_cols", "print(torch.arange(2000).reshape(1000, 2))"),
    ("summarize_3d", "print(torch.arange(3000.).reshape(10, 10, 30))"),
    ("summarize_hidden_values_ignored",
     "t = torch.ones(2000)\nt[1000] = 1e10\nt[500] = 0.5\nprint(t)"),
    ("summarize_with_grad", "print(torch.ones(1500, requires_grad=True))"),
    ("summarize_bool", "print(torch.zeros(1200, dtype=torch.bool))"),
    # Empty.
    ("empty_1d", "print(torch.tensor([]))"),
    ("empty_2d", "print(torch.ones(0, 3))\nprint(torch.ones(2, 0, 3))"),
    ("empty_int_bool", "print(torch.ones(0, dtype=torch.int64))\n"
     "print(torch.ones(0, dtype=torch.bool))\nprint(torch.ones(0, 2, dtype=torch.int64))"),
    ("empty_requires_grad", "print(torch.ones(0, requires_grad=True))"),
    ("empty_float64", "print(torch.ones(0, dtype=torch.float64))"),
    # Suffixes and their wrapping.
    ("suffix_float64_requires_grad",
     "print(torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True))"),
    ("suffix_float64_grad_fn",
     "x = torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)\nprint(x * 2)"),
    ("suffix_wrap_grad_fn_6",
     "x = torch.ones(6, requires_grad=True)\nprint(x * 0.5)\nprint(x[:5] * 0.5)"),
    ("suffix_wrap_requires_grad_12_13",
     "print(torch.ones(12, requires_grad=True))\nprint(torch.ones(13, requires_grad=True))"),
    ("suffix_wrap_dtype", "print(torch.ones(12, dtype=torch.float64))\n"
     "print(torch.ones(13, dtype=torch.float64))\nprint(torch.ones(17, dtype=torch.float64))"),
    ("suffix_wrap_dtype_and_grad",
     "print(torch.ones(9, dtype=torch.float64, requires_grad=True))\n"
     "print(torch.ones(13, dtype=torch.float64, requires_grad=True))"),
    ("suffix_after_multiline",
     "x = torch.ones(3, 9, requires_grad=True)\nprint(x)\nprint(x * 2)\n"
     "print(torch.ones(2, 16, dtype=torch.float64, requires_grad=True))"),
    ("suffix_after_wrapped_row", "print(torch.arange(30., requires_grad=True))"),
    ("suffix_int32", "print(torch.arange(25, dtype=torch.int32))"),
    ("suffix_empty_size_dtype", "print(torch.ones(0, 3, dtype=torch.float64))"),
    ("suffix_empty_size_grad",
     "print(torch.ones(0, 3, requires_grad=True))\nx = torch.ones(0, 2, requires_grad=True)\n"
     "print(x * 2)"),
    ("suffix_bool_nonempty_none", "print(torch.tensor([True]))"),
    ("suffix_float16", "print(torch.ones(2, dtype=torch.float16, requires_grad=True))"),
    ("grad_fn_various",
     "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\n"
     "for y in [x + 1, x - 1, 1 - x, x * 2, x / 2, 2 / x, x ** 2, 2 ** x, -x, x.sum(), x.mean(),"
     " x @ x, x.t(), x.T, x.view(4), x[0], x[:1], x.exp(), x.relu(), x.sigmoid(), x.tanh(),"
     " x.abs(), x.sqrt(), x.log(), x.sin(), x.cos(), x.clamp(min=2), x.unsqueeze(0),"
     " x.flatten(), x.max(), x.min()]:\n    print(y.grad_fn.name())"),
    # set_printoptions.
    ("printoptions_precision",
     "torch.set_printoptions(precision=2)\nprint(torch.tensor([1.23456, 2.5]))\n"
     "print(torch.tensor([1e-5, 1.]))"),
    ("printoptions_precision_8", "torch.set_printoptions(precision=8)\n"
     "print(torch.tensor([1 / 3, 0.1]))"),
    ("printoptions_sci_off", "torch.set_printoptions(sci_mode=False)\n"
     "print(torch.tensor([1e-5, 1.]))\nprint(torch.tensor([1e10, 1.]))"),
    ("printoptions_sci_on", "torch.set_printoptions(sci_mode=True)\n"
     "print(torch.tensor([0.5, 1.]))\nprint(torch.tensor([1., 2.]))"),
    ("printoptions_reset_default",
     "torch.set_printoptions(precision=1, sci_mode=False)\nprint(torch.tensor([0.123]))\n"
     "torch.set_printoptions(profile='default')\nprint(torch.tensor([0.123]))"),
    ("printoptions_threshold", "torch.set_printoptions(threshold=5)\n"
     "print(torch.arange(10))\nprint(torch.arange(5))"),
    ("printoptions_edgeitems", "torch.set_printoptions(threshold=5, edgeitems=1)\n"
     "print(torch.arange(10.))"),
    ("printoptions_linewidth", "torch.set_printoptions(linewidth=40)\n"
     "print(torch.arange(20.))"),
    ("printoptions_precision_affects_int_mode_not",
     "torch.set_printoptions(precision=2)\nprint(torch.tensor([1., 2.]))"),
]
