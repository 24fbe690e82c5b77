"""The delivery engine: a durable outbox sent at Telegram's rate ceiling, never over it.

Shared by announcements (and later training reminders and hotline relays). It never imports
telegram: the bot layer implements `Messenger` and the features implement `CampaignSource`.
"""
