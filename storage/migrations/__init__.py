"""Alembic migrations; applied at start-up and by `hotline db upgrade`."""
