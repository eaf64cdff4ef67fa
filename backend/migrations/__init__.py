"""The database's schema history (Alembic), shipped in the package so an installed
floorline can migrate the database it finds.

Run through `backend.dbschema` (no alembic.ini): `floorline db upgrade`, or
`floorline serve` on an empty database. A new revision goes in `versions/`,
numbered after the last, and `backend/schema.py` changes with it (a test
checks that the two agree on SQLite and PostgreSQL).
"""
