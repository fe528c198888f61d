"""Alembic migrations of the Faceless service database (run by `faceless.service.db.upgrade_database`)."""
