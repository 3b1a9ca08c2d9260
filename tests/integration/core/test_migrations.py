"""The migration tree and the models describe the same schema, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ordersmith import migrate
from ordersmith.db import metadata


def test_migrations_reach_head_and_match_the_models(db):
    # given a database migrated by the fixture from empty
    assert migrate.current_revision(db.engine) == migrate.head_revision()
    # when
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    # then
    assert differences == []
