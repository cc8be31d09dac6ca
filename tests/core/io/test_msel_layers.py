"""The MSEL import and export live in the Qt-free core: importing them must not load PySide6."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

MODULES = ["msel_read", "msel_times", "msel_values", "msel_mapping", "msel_parse", "msel_import",
           "msel_write"]


def test_msel_modules_do_not_load_qt() -> None:
    imports = "; ".join(f"import ctpn_desktop.core.io.{name}" for name in MODULES)
    code = f"import sys; {imports}; print('PySide6' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
