"""Alembic migrations of the Faceless service database (run by `faceless.server.db.upgrade_database`)."""
