"""Composition root, settings, command line and transport of the Community Hotline bot."""
