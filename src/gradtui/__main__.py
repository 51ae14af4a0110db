"""``python -m gradtui`` is the same as the ``gradtui`` command."""

from __future__ import annotations

import sys

from gradtui.cli import main

sys.exit(main())
