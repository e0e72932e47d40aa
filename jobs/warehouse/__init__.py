"""The warehouse: schema, migrations, idempotent upserts, token encryption, rollups and queries."""
