"""Repositories: the only code that writes SQL. Each takes the Database and hides sessions."""
