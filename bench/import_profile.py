"""What the first paint waits for: the import profile of a start with the demo document, by package.

    .venv/bin/python bench/import_profile.py [--top 25]

Starts ``python -X importtime -m ctpn_desktop --benchmark-startup DEMO`` (the same start as the ``startup``
figure), keeps the imports made before the first paint, and prints each package's own import time (the
``self`` column of ``-X importtime``, summed), largest first; our own modules are listed by sub-package.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


def package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:3]) if parts[0] == "ctpn_desktop" else parts[0]


def profile(document: Path, listing: Path) -> tuple[Counter[str], float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CTPN_STARTUP_MODULES=str(listing),
               CTPN_CONFIG_DIR=str(listing.parent / "config"), QT_LOGGING_RULES="qt.qpa.*=false")
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "ctpn_desktop", "--benchmark-startup",
                             str(document)], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    before_paint = set(listing.read_text(encoding="utf-8").split())
    totals: Counter[str] = Counter()
    for line in result.stderr.splitlines():
        match = _LINE.match(line)
        if match and match[4] in before_paint:
            totals[package_of(match[4])] += int(match[1])
    painted = next(float(line.split()[1]) for line in result.stdout.splitlines() if line.startswith("painted "))
    return totals, painted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--top", type=int, default=25, help="how many packages to list")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from ctpn_desktop.core.demo import make_demo_document

    with tempfile.TemporaryDirectory(prefix="ctpn-imports-") as folder:
        document = Path(folder) / "demo.ctpn"
        make_demo_document(document)
        totals, painted = profile(document, Path(folder) / "modules.txt")
    total = sum(totals.values())
    print(f"first paint after {painted:.2f} s (under -X importtime); imports before it: {total / 1e6:.2f} s")
    for package, micros in totals.most_common(args.top):
        print(f"{micros / 1000:8.1f} ms  {100 * micros / total:5.1f} %  {package}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
