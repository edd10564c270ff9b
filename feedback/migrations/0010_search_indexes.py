"""Search on PostgreSQL only (SQLite has neither full-text search nor trigrams; there the
searches read the table, which is fine at its size).

- feedback_exitinterview.words_vector: the interviews' words for full-text search
  (feedback/search.py), a column PostgreSQL generates from client_words and team_hypothesis and
  rewrites whenever either changes (so erasing the words erases their lexemes), with a GIN index.
  It is not on the model: SQLite could not generate it. An expression index on the same
  expression was tried first: ranking then parses every match's words again (40 µs a row) and
  the planner, unaware of that cost, read thousands of rows for a common word (up to 0.9 s).
- client_name_trigram: the client searches (`name__icontains`, which Django writes as
  UPPER(name::text) LIKE UPPER(...)) find names by trigrams instead of reading every client.
"""

from django.db import migrations

FORWARDS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE feedback_exitinterview ADD COLUMN words_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, COALESCE(client_words, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(team_hypothesis, '')), 'B')"
    ") STORED",
    "CREATE INDEX interview_words_search ON feedback_exitinterview USING gin (words_vector)",
    "CREATE INDEX client_name_trigram ON feedback_client "
    "USING gin ((UPPER(name::text)) gin_trgm_ops)",
]
BACKWARDS = [
    "DROP INDEX IF EXISTS client_name_trigram",
    "ALTER TABLE feedback_exitinterview DROP COLUMN IF EXISTS words_vector",
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("feedback", "0009_fee_history")]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARDS), _on_postgresql(BACKWARDS), elidable=False),
    ]
