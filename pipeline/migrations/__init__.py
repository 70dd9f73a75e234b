"""Alembic migrations of the store (pipeline/store.py); ``open_store`` runs them to head. See env.py."""
