"""Versioned migrations: the only place that creates or alters tables.

The schema version lives in ``PRAGMA user_version`` and a workbench project is recognised by
``PRAGMA application_id``. Each migration is a list of SQL statements run in one transaction.
"""

from __future__ import annotations

import sqlite3

APPLICATION_ID = 0x57424E43  # "WBNC": marks a SQLite file as a workbench project

# Columns every entity table shares.
_ENTITY = "id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE"

MIGRATION_1 = [
    """CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
    f"""CREATE TABLE coders (
        {_ENTITY},
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL)""",
    f"""CREATE TABLE cases (
        {_ENTITY},
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        attributes TEXT NOT NULL DEFAULT '{{}}')""",
    f"""CREATE TABLE cycles (
        {_ENTITY},
        number INTEGER NOT NULL UNIQUE,
        name TEXT NOT NULL DEFAULT '',
        phase TEXT NOT NULL DEFAULT 'plan'
            CHECK (phase IN ('plan', 'act', 'observe', 'reflect')),
        start_date TEXT,
        end_date TEXT,
        description TEXT NOT NULL DEFAULT '')""",
    f"""CREATE TABLE participants (
        {_ENTITY},
        label TEXT NOT NULL UNIQUE,
        real_name TEXT,
        role TEXT NOT NULL DEFAULT '',
        organisation TEXT NOT NULL DEFAULT '',
        sector TEXT NOT NULL DEFAULT '',
        case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
        attributes TEXT NOT NULL DEFAULT '{{}}')""",
    f"""CREATE TABLE documents (
        {_ENTITY},
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL DEFAULT 'document'
            CHECK (kind IN ('interview', 'focus_group', 'meeting', 'field_note', 'document',
                            'memo')),
        case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
        cycle_id INTEGER REFERENCES cycles(id) ON DELETE SET NULL,
        participant_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
        date TEXT,
        source_name TEXT NOT NULL,
        source_path TEXT NOT NULL DEFAULT '',
        source_format TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        encoding TEXT,
        text TEXT NOT NULL,
        original_text TEXT NOT NULL,
        repairs TEXT NOT NULL DEFAULT '[]',
        attributes TEXT NOT NULL DEFAULT '{{}}',
        word_count INTEGER NOT NULL DEFAULT 0,
        imported_at TEXT NOT NULL)""",
    f"""CREATE TABLE segments (
        {_ENTITY},
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('turn', 'paragraph', 'quote', 'item', 'heading')),
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        speaker TEXT,
        participant_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
        start_time REAL,
        end_time REAL,
        role TEXT,
        CHECK (start >= 0 AND "end" >= start),
        UNIQUE (document_id, ordinal))""",
    "CREATE INDEX segments_document ON segments(document_id, start)",
    "CREATE INDEX segments_participant ON segments(participant_id)",
    f"""CREATE TABLE codes (
        {_ENTITY},
        name TEXT NOT NULL,
        parent_id INTEGER REFERENCES codes(id) ON DELETE RESTRICT,
        ordinal INTEGER NOT NULL DEFAULT 0,
        label_da TEXT NOT NULL DEFAULT '',
        label_en TEXT NOT NULL DEFAULT '',
        definition TEXT NOT NULL DEFAULT '',
        when_to_use TEXT NOT NULL DEFAULT '',
        when_not_to_use TEXT NOT NULL DEFAULT '',
        example TEXT NOT NULL DEFAULT '',
        colour TEXT NOT NULL DEFAULT '#888888',
        hotkey TEXT,
        indicators TEXT NOT NULL DEFAULT '[]',
        exclusions TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL)""",
    "CREATE UNIQUE INDEX codes_name ON codes(name COLLATE NOCASE)",
    "CREATE UNIQUE INDEX codes_hotkey ON codes(hotkey) WHERE hotkey IS NOT NULL",
    f"""CREATE TABLE codings (
        {_ENTITY},
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
        coder TEXT NOT NULL,
        created_at TEXT NOT NULL,
        memo TEXT NOT NULL DEFAULT '',
        origin TEXT NOT NULL DEFAULT 'manual'
            CHECK (origin IN ('manual', 'autocode', 'suggestion', 'import')),
        CHECK (start >= 0 AND "end" > start),
        UNIQUE (document_id, start, "end", code_id, coder))""",
    "CREATE INDEX codings_document ON codings(document_id, start)",
    "CREATE INDEX codings_code ON codings(code_id)",
    f"""CREATE TABLE memos (
        {_ENTITY},
        title TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT 'memo'
            CHECK (kind IN ('memo', 'reflection', 'member_check', 'trial_action', 'journal')),
        target_type TEXT NOT NULL DEFAULT 'project'
            CHECK (target_type IN ('project', 'document', 'code', 'coding', 'participant',
                                   'cycle', 'stakeholder')),
        target_id INTEGER,
        cycle_id INTEGER REFERENCES cycles(id) ON DELETE SET NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL)""",
    f"""CREATE TABLE stakeholders (
        {_ENTITY},
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL DEFAULT 'organisation'
            CHECK (kind IN ('organisation', 'group', 'role', 'person', 'partnership')),
        sector TEXT NOT NULL DEFAULT '',
        aliases TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL DEFAULT 'suggested'
            CHECK (status IN ('suggested', 'confirmed', 'rejected')),
        source TEXT NOT NULL DEFAULT 'gazetteer',
        participant_id INTEGER REFERENCES participants(id) ON DELETE SET NULL)""",
    f"""CREATE TABLE mentions (
        {_ENTITY},
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        stakeholder_id INTEGER NOT NULL REFERENCES stakeholders(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        surface TEXT NOT NULL,
        CHECK (start >= 0 AND "end" > start))""",
    "CREATE INDEX mentions_document ON mentions(document_id, start)",
    "CREATE INDEX mentions_stakeholder ON mentions(stakeholder_id)",
    f"""CREATE TABLE history (
        {_ENTITY},
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        action TEXT NOT NULL,
        summary TEXT NOT NULL,
        ops TEXT,
        state TEXT NOT NULL DEFAULT 'done'
            CHECK (state IN ('done', 'undone', 'discarded', 'permanent')))""",
]

MIGRATION_2 = [
    # Results of NLP tagging and of the assisted-coding models.
    f"""CREATE TABLE suggestions (
        {_ENTITY},
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
        origin TEXT NOT NULL CHECK (origin IN ('indicator', 'model')),
        score REAL NOT NULL DEFAULT 1.0,
        evidence TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
        decided_by TEXT,
        decided_at TEXT,
        created_at TEXT NOT NULL)""",
    "CREATE INDEX suggestions_document ON suggestions(document_id, start)",
    "CREATE INDEX suggestions_code ON suggestions(code_id, status)",
    f"""CREATE TABLE personal_data (
        {_ENTITY},
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'cpr', 'name')),
        surface TEXT NOT NULL)""",
    "CREATE INDEX personal_data_document ON personal_data(document_id)",
    """CREATE TABLE tagged_documents (
        document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        text_sha256 TEXT NOT NULL,
        pipeline TEXT NOT NULL,
        tagged_at TEXT NOT NULL)""",
    """CREATE TABLE sentences (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL)""",
    "CREATE INDEX sentences_document ON sentences(document_id, start)",
    """CREATE TABLE segment_lemmas (
        segment_id INTEGER PRIMARY KEY REFERENCES segments(id) ON DELETE CASCADE,
        lemmas TEXT NOT NULL)""",
    f"""CREATE TABLE relations (
        {_ENTITY},
        source_id INTEGER NOT NULL REFERENCES stakeholders(id) ON DELETE CASCADE,
        target_id INTEGER NOT NULL REFERENCES stakeholders(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        memo TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL,
        created_at TEXT NOT NULL)""",
    f"""CREATE TABLE codebook_snapshots (
        {_ENTITY},
        cycle_id INTEGER REFERENCES cycles(id) ON DELETE SET NULL,
        label TEXT NOT NULL,
        codes TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL)""",
]

MIGRATION_3 = [
    # Full-text search over segments. unicode61 without diacritic removal keeps æ, ø and å as
    # letters of their own. segment_search holds each segment's text (rowid = segment id), kept
    # in step with segments and document text by triggers. segment_lemma_search indexes the
    # lemma text that tagging writes to segment_lemmas (external content: stored once); the
    # writer indexes new rows itself in one statement per document (a per-row trigger is
    # several times slower), while triggers remove deleted and changed rows.
    """CREATE VIRTUAL TABLE segment_search USING fts5(
        text, tokenize = 'unicode61 remove_diacritics 0')""",
    """INSERT INTO segment_search (rowid, text)
        SELECT s.id, substr(d.text, s.start + 1, s."end" - s.start)
        FROM segments s JOIN documents d ON d.id = s.document_id""",
    """CREATE TRIGGER segment_search_insert AFTER INSERT ON segments BEGIN
        INSERT INTO segment_search (rowid, text)
            SELECT new.id, substr(d.text, new.start + 1, new."end" - new.start)
            FROM documents d WHERE d.id = new.document_id;
    END""",
    """CREATE TRIGGER segment_search_delete AFTER DELETE ON segments BEGIN
        DELETE FROM segment_search WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER segment_search_move AFTER UPDATE OF start, "end", document_id ON segments
    BEGIN
        UPDATE segment_search SET text = (
            SELECT substr(d.text, new.start + 1, new."end" - new.start)
            FROM documents d WHERE d.id = new.document_id) WHERE rowid = new.id;
    END""",
    """CREATE TRIGGER segment_search_text AFTER UPDATE OF text ON documents BEGIN
        UPDATE segment_search SET text = (
            SELECT substr(new.text, s.start + 1, s."end" - s.start)
            FROM segments s WHERE s.id = segment_search.rowid)
        WHERE rowid IN (SELECT id FROM segments WHERE document_id = new.id);
    END""",
    """CREATE VIRTUAL TABLE segment_lemma_search USING fts5(
        lemmas, content = 'segment_lemmas', content_rowid = 'segment_id',
        tokenize = 'unicode61 remove_diacritics 0')""",
    "INSERT INTO segment_lemma_search (segment_lemma_search) VALUES ('rebuild')",
    """CREATE TRIGGER segment_lemma_search_delete AFTER DELETE ON segment_lemmas BEGIN
        INSERT INTO segment_lemma_search (segment_lemma_search, rowid, lemmas)
            VALUES ('delete', old.segment_id, old.lemmas);
    END""",
    """CREATE TRIGGER segment_lemma_search_update AFTER UPDATE ON segment_lemmas BEGIN
        INSERT INTO segment_lemma_search (segment_lemma_search, rowid, lemmas)
            VALUES ('delete', old.segment_id, old.lemmas);
        INSERT INTO segment_lemma_search (rowid, lemmas) VALUES (new.segment_id, new.lemmas);
    END""",
]


MIGRATION_4 = [
    # Assisted coding: each training run of the suggestion models is one row, with what it was
    # trained on (unit, codebook version, fingerprints and per-code example counts), its
    # cross-validated quality, and the weights as a numpy archive (no pickle, so opening a
    # project someone sent can never run code). Only the newest model keeps its weights; older
    # rows stay so that every suggestion can be traced to the model that made it.
    f"""CREATE TABLE models (
        {_ENTITY},
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        unit TEXT NOT NULL CHECK (unit IN ('segment', 'sentence')),
        codebook_version TEXT NOT NULL,
        passages_fingerprint TEXT NOT NULL,
        training_fingerprint TEXT NOT NULL,
        settings TEXT NOT NULL DEFAULT '{{}}',
        codes TEXT NOT NULL DEFAULT '[]',
        data BLOB)""",
    "ALTER TABLE suggestions ADD COLUMN model_id INTEGER REFERENCES models(id) "
    "ON DELETE SET NULL",
]

MIGRATION_5 = [
    # Segment text is indexed for search when a search needs it, not while importing: a
    # per-row trigger copying each turn into FTS5 took half of the import time. Importing now
    # only notes which documents wait for indexing (workbench.core.search.ensure_index).
    "DROP TRIGGER segment_search_insert",
    """CREATE TABLE search_pending (
        document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE)""",
    """CREATE TRIGGER search_pending_segment AFTER INSERT ON segments BEGIN
        INSERT OR IGNORE INTO search_pending (document_id) VALUES (new.document_id);
    END""",
    # Retrieval and the reports read codings by code: a covering index answers them without
    # touching the table (about 40% less time on 100,000 codings).
    'CREATE INDEX codings_code_span ON codings(code_id, document_id, start, "end", coder)',
    "DROP INDEX codings_code",
]

# What a long-running process keeps in memory between queries (see workbench.core.filecache)
# must be read again when the file changes, also when another process changed it. Triggers
# count changed rows in the file itself: all segments under 'segments', the codings of each
# code under 'codings:<code id>', so that coding a passage with one code keeps the rest.
COUNTED_TABLES = ("segments",)


def _bump(name: str) -> str:
    return (f"INSERT INTO change_counts (name, changes) VALUES ({name}, 1) "
            "ON CONFLICT (name) DO UPDATE SET changes = changes + 1")


def _counted(table: str) -> list[str]:
    return [f"INSERT INTO change_counts (name) VALUES ('{table}')"] + [
        f"CREATE TRIGGER {table}_counted_{event.lower()} AFTER {event} ON {table} "
        f"BEGIN {_bump(repr(table))}; END" for event in ("INSERT", "UPDATE", "DELETE")]


MIGRATION_6 = [
    """CREATE TABLE change_counts (
        name TEXT PRIMARY KEY,
        changes INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID""",
    *[statement for table in COUNTED_TABLES for statement in _counted(table)],
    f"""CREATE TRIGGER codings_counted_insert AFTER INSERT ON codings BEGIN
        {_bump("'codings:' || new.code_id")}; END""",
    f"""CREATE TRIGGER codings_counted_delete AFTER DELETE ON codings BEGIN
        {_bump("'codings:' || old.code_id")}; END""",
    f"""CREATE TRIGGER codings_counted_update AFTER UPDATE ON codings BEGIN
        {_bump("'codings:' || old.code_id")};
        {_bump("'codings:' || new.code_id")}; END""",
]

MIGRATIONS: list[list[str]] = [MIGRATION_1, MIGRATION_2, MIGRATION_3, MIGRATION_4,
                               MIGRATION_5, MIGRATION_6]
LATEST_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    """Return the schema version stored in the file (0 for a new, empty file)."""
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int = LATEST_VERSION) -> list[int]:
    """Run every migration above the file's version up to ``target``, each in one transaction.

    Returns:
        The versions that were applied.
    """
    applied = []
    current = schema_version(conn)
    for version in range(current + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[version - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied
