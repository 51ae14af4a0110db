# How a script sees its world under `python NAME ARGS` vs `gradtui run NAME ARGS`:
# __name__, __file__, sys.argv, sys.path[0], stderr output and a custom exit status.
import os
import sys

import torch

print(__name__)
print(os.path.isabs(__file__), os.path.basename(__file__))
print(sys.argv[1:], os.path.basename(sys.argv[0]))
print(os.path.basename(sys.path[0]) == os.path.basename(os.path.dirname(os.path.abspath(__file__))))
print(type(torch.ones(1)), torch.ones(2).sum())
print("to stderr", file=sys.stderr)


def main() -> int:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    print(x.grad)
    return 3


if __name__ == "__main__":
    sys.exit(main())
