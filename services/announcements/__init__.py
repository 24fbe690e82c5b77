"""Project announcements: subscriptions, composing rules, and broadcasts through the outbox."""
