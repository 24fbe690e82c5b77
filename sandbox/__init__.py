"""Local Telegram Bot API sandbox.

An in-memory stand-in for api.telegram.org: the real bot talks to it over HTTP with only its
base URL changed, and tests act as users through the control API (see sandbox/README.md).
"""
