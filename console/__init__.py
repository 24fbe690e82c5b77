"""The staff web console: aiohttp + Jinja2 pages on the bot's own server, under /console/.

Pages call the same services as the bot. See docs/CONSOLE.md for how a page is added.
"""
