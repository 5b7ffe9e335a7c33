"""Storage: SQLAlchemy Core tables, engine setup, migrations and one repository per concern."""
