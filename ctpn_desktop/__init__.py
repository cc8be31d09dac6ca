"""CTPN Desktop: offline exercise control for counter-terrorism table-top exercises."""

__version__ = "0.1.0"
APP_NAME = "CTPN Desktop"
