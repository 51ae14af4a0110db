"""serve layer: teaching labs over SSH and in the browser, and the teacher's ``lab`` commands."""

from __future__ import annotations

import warnings

# asyncssh 2.x names cryptography's deprecated DSA classes when it is imported, and cryptography
# warns at each: about ten lines of CryptographyDeprecationWarning on the teacher's terminal for
# `gradtui lab add-learner --key` or `gradtui serve ssh`, about the library, not the lab. Only
# warnings attributed to asyncssh's own modules are silenced (CryptographyDeprecationWarning is a
# UserWarning; naming it would import cryptography in every gradtui start). Learner code runs in
# the kernel, another process, and its warnings are untouched.
warnings.filterwarnings("ignore", category=UserWarning, module=r"asyncssh(\.|$)")
