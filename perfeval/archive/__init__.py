"""The archive: every year's accepted results in a database (SQLite by default, any SQLAlchemy
URL for a shared server), so the next year can follow up 整改, compare self-evaluations with
re-evaluations and with last year, and counties can be rolled up."""
