"""Telegram-facing code: parse the update, call a service, render a template, send."""
