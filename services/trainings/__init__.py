"""Trainings: courses, registration with a waitlist, calendar files and durable reminders.

Plain async Python: Telegram is reached only through `messenger.TrainingMessenger`, which the
handlers layer implements.
"""
