"""`python -m ctpn_desktop`: the same as the `ctpn-desktop` command."""

from ctpn_desktop.cli import main

raise SystemExit(main())
