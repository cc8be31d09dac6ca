"""Entry point of the standalone build: the same as the ``ctpn-desktop`` command.

The launch time is noted before any heavy import, so the startup benchmark measures the whole start.
"""

import os
import time

os.environ.setdefault("CTPN_T0", repr(time.time()))

from ctpn_desktop.cli import main

raise SystemExit(main())
