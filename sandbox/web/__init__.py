"""The sandbox's chat page: one person plays every role of a conversation with the bot.

``setup_chat_page(app)`` mounts the page at ``/`` and its static files under
``/sandbox/web/static/``. The page itself only talks to the control API
(``/sandbox/api/...``) and ``/sandbox/files/...``.
"""

from sandbox.web.routes import STATIC_PREFIX, setup_chat_page

__all__ = ["STATIC_PREFIX", "setup_chat_page"]
