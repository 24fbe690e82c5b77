"""Time-driven work: APScheduler jobs that call services (retention now; reminders later)."""
