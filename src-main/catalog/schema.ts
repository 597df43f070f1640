import type Database from 'better-sqlite3'

/**
 * Schema migrations, applied in order; PRAGMA user_version holds how many ran.
 * Append only: a released migration is never edited.
 */
const MIGRATIONS: readonly string[] = [
  // 1: patches, their R*Tree, archives, imports, feedback.
  `
  CREATE TABLE archives (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    nomenclature TEXT NOT NULL CHECK (nomenclature IN ('clc43', 'ben19'))
  );
  CREATE TABLE patches (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    archive_id INTEGER NOT NULL REFERENCES archives(id),
    satellite TEXT NOT NULL CHECK (satellite IN ('S2A', 'S2B')),
    acquired_at INTEGER NOT NULL,            -- UTC, seconds since 1970
    season INTEGER NOT NULL CHECK (season BETWEEN 0 AND 3), -- 0 winter … 3 autumn
    country TEXT,
    tile TEXT,
    epsg INTEGER NOT NULL,
    utm_west REAL NOT NULL, utm_south REAL NOT NULL, utm_east REAL NOT NULL, utm_north REAL NOT NULL,
    footprint BLOB NOT NULL,                 -- 4 corners, lon/lat float64, counter-clockwise from SW
    labels_mask INTEGER NOT NULL,            -- bit i = label i of the archive's nomenclature
    split TEXT,
    snow INTEGER,
    cloud INTEGER,
    pixels_path TEXT                         -- folder or file holding the bands, never the pixels
  );
  CREATE INDEX patches_time ON patches(acquired_at);
  CREATE VIRTUAL TABLE patch_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat);
  CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    archive_id INTEGER REFERENCES archives(id),
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    patch_count INTEGER NOT NULL
  );
  -- Bumped by every change to patches; the scan snapshot records the generation it was built from.
  CREATE TABLE catalog_state (id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL);
  INSERT INTO catalog_state (id, generation) VALUES (1, 0);
  CREATE TRIGGER patches_inserted AFTER INSERT ON patches BEGIN
    UPDATE catalog_state SET generation = generation + 1 WHERE id = 1;
  END;
  CREATE TRIGGER patches_updated AFTER UPDATE ON patches BEGIN
    UPDATE catalog_state SET generation = generation + 1 WHERE id = 1;
  END;
  CREATE TRIGGER patches_deleted AFTER DELETE ON patches BEGIN
    UPDATE catalog_state SET generation = generation + 1 WHERE id = 1;
  END;
  -- Columnar copy of the filter columns, in (acquired_at, name) order, for full scans (see search/).
  CREATE TABLE scan_snapshot (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL,
    row_count INTEGER NOT NULL,
    dictionary TEXT NOT NULL,
    columns BLOB NOT NULL
  );
  CREATE TABLE feedback (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  // 2: binary hash codes, one BLOB per patch and model (the hash index loads them at start-up).
  `
  CREATE TABLE hash_models (
    id TEXT PRIMARY KEY,
    bits INTEGER NOT NULL CHECK (bits IN (64, 128, 256)),
    description TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE patch_codes (
    model_id TEXT NOT NULL REFERENCES hash_models(id) ON DELETE CASCADE,
    patch_id INTEGER NOT NULL REFERENCES patches(id) ON DELETE CASCADE,
    code BLOB NOT NULL,
    PRIMARY KEY (model_id, patch_id)
  ) WITHOUT ROWID;
  `,
  // 3: a packed copy of each model's codes, so the hash index loads in milliseconds, not row by row.
  `
  ALTER TABLE hash_models ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
  CREATE TRIGGER patch_codes_inserted AFTER INSERT ON patch_codes BEGIN
    UPDATE hash_models SET generation = generation + 1 WHERE id = NEW.model_id;
  END;
  CREATE TRIGGER patch_codes_updated AFTER UPDATE ON patch_codes BEGIN
    UPDATE hash_models SET generation = generation + 1 WHERE id IN (OLD.model_id, NEW.model_id);
  END;
  CREATE TRIGGER patch_codes_deleted AFTER DELETE ON patch_codes BEGIN
    UPDATE hash_models SET generation = generation + 1 WHERE id = OLD.model_id;
  END;
  CREATE TABLE code_snapshots (
    model_id TEXT PRIMARY KEY REFERENCES hash_models(id) ON DELETE CASCADE,
    generation INTEGER NOT NULL,
    ids BLOB NOT NULL,
    codes BLOB NOT NULL
  );
  `,
  // 4: the SHA-256 of the model file that made a model's codes, as a column. Catalogs of version 3 kept
  // its first 16 hex digits in the description ("<name> (sha256 <16 hex>)"): they carry over.
  `
  ALTER TABLE hash_models ADD COLUMN model_sha256 TEXT;
  UPDATE hash_models
     SET model_sha256 = substr(description, instr(description, '(sha256 ') + 8, 16),
         description = rtrim(substr(description, 1, instr(description, '(sha256 ') - 1))
   WHERE instr(description, '(sha256 ') > 0
     AND substr(description, instr(description, '(sha256 ') + 24, 1) = ')';
  `,
]

/** Current schema version: the number of migrations. */
export const SCHEMA_VERSION = MIGRATIONS.length

/** Brings a database to SCHEMA_VERSION, each migration in its own transaction. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `catalog schema version ${current} is newer than this EarthQube (${SCHEMA_VERSION}); update the app`,
    )
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}
