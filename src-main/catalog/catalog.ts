import Database from 'better-sqlite3'
import { existsSync } from 'node:fs'
import type { Ring, UtmBox } from '../geo/utm'
import { bboxOf } from '../geo/utm'
import { migrate } from './schema'
import type { NomenclatureId } from './nomenclature'
import { SEASON_NAMES } from '../contract/query'
import { seasonCode, seasonOf } from './season'

/** One patch as importers hand it to the catalog. */
export interface PatchRecord {
  name: string
  satellite: 'S2A' | 'S2B'
  /** Acquisition time, UTC seconds since 1970. */
  acquiredAt: number
  country: string | null
  tile: string | null
  utm: UtmBox
  footprint: Ring
  /** Label bitmask; null when the source has no labels (an existing patch keeps its own, a new one gets none). */
  labelsMask: number | null
  split: string | null
  snow: boolean | null
  cloud: boolean | null
  /** Folder or file with the patch's bands, when the archive has pixels. */
  pixelsPath: string | null
}

/** An archive: a set of patches labelled in one nomenclature. */
export interface ArchiveInfo {
  id: number
  name: string
  nomenclature: NomenclatureId
}

/** What `stats` reports about a catalog. */
export interface CatalogStats {
  file: string
  schemaVersion: number
  patches: number
  archives: { name: string; nomenclature: NomenclatureId; patches: number; withPixels: number }[]
  countries: { country: string; patches: number }[]
  satellites: { satellite: string; patches: number }[]
  seasons: { season: string; patches: number }[]
  firstAcquisition: string | null
  lastAcquisition: string | null
  bbox: [number, number, number, number] | null
  imports: { kind: string; source: string; finishedAt: string; patches: number }[]
  feedback: number
}

/** A free-text note a user left, with its time. */
export interface FeedbackEntry {
  id: number
  text: string
  createdAt: string
}

/** Encodes a footprint ring's four corners as 8 little-endian float64 (lon, lat, …). */
export function encodeFootprint(ring: Ring): Buffer {
  const buf = Buffer.alloc(64)
  for (let i = 0; i < 4; i++) {
    const p = ring[i]!
    buf.writeDoubleLE(p[0], i * 16)
    buf.writeDoubleLE(p[1], i * 16 + 8)
  }
  return buf
}

/** Decodes a footprint BLOB into a closed ring. */
export function decodeFootprint(blob: Buffer): Ring {
  const ring: Ring = []
  for (let i = 0; i < 4; i++) ring.push([blob.readDoubleLE(i * 16), blob.readDoubleLE(i * 16 + 8)])
  ring.push([ring[0]![0], ring[0]![1]])
  return ring
}

/**
 * The local SQLite catalog of patches (better-sqlite3, WAL). Owns the schema; plain Node, no Electron.
 * Pixels are never stored: only where they are.
 */
export class Catalog {
  private readonly insertStmt: Database.Statement
  private readonly updateStmt: Database.Statement
  private readonly findIdStmt: Database.Statement
  private readonly rtreeStmt: Database.Statement

  private constructor(
    readonly db: Database.Database,
    readonly file: string,
  ) {
    this.findIdStmt = db.prepare('SELECT id FROM patches WHERE name = ?').pluck()
    const cols = `archive_id, satellite, acquired_at, season, country, tile, epsg, utm_west, utm_south, utm_east,
      utm_north, footprint, labels_mask, split, snow, cloud, pixels_path`
    this.insertStmt = db.prepare(
      `INSERT INTO patches (name, ${cols}) VALUES (@name, @archive_id, @satellite, @acquired_at, @season, @country,
       @tile, @epsg, @utm_west, @utm_south, @utm_east, @utm_north, @footprint, @labels_mask, @split, @snow, @cloud,
       @pixels_path)`,
    )
    this.updateStmt = db.prepare(
      `UPDATE patches SET archive_id = @archive_id, satellite = @satellite, acquired_at = @acquired_at,
       season = @season, country = coalesce(@country, country), tile = coalesce(@tile, tile), epsg = @epsg,
       utm_west = @utm_west, utm_south = @utm_south, utm_east = @utm_east, utm_north = @utm_north,
       footprint = @footprint, labels_mask = coalesce(@labels_mask, labels_mask), split = coalesce(@split, split),
       snow = coalesce(@snow, snow), cloud = coalesce(@cloud, cloud),
       pixels_path = coalesce(@pixels_path, pixels_path) WHERE id = @id`,
    )
    this.rtreeStmt = db.prepare('INSERT OR REPLACE INTO patch_rtree (id, min_lon, max_lon, min_lat, max_lat) VALUES (?, ?, ?, ?, ?)')
  }

  /** Opens (creating if needed) a catalog file and brings its schema up to date. */
  static open(file: string, options: { readonly?: boolean; mustExist?: boolean } = {}): Catalog {
    if ((options.readonly || options.mustExist) && file !== ':memory:' && !existsSync(file)) {
      throw new Error(`catalog ${file} does not exist (import data into it first)`)
    }
    let db: Database.Database
    try {
      db = new Database(file, { readonly: options.readonly ?? false })
    } catch (e) {
      throw new Error(`cannot open catalog ${file}: ${(e as Error).message}`)
    }
    try {
      // A file that is not SQLite fails on the first read, with SQLite's "file is not a database".
      db.pragma('schema_version')
      if (!options.readonly) {
        db.pragma('journal_mode = WAL')
        db.pragma('synchronous = NORMAL')
        db.pragma('foreign_keys = ON')
        migrate(db)
      }
    } catch (e) {
      db.close()
      throw new Error(`cannot open catalog ${file}: ${(e as Error).message}`)
    }
    db.pragma('cache_size = -65536') // 64 MiB page cache: the hot part of a 549k-patch catalog fits
    return new Catalog(db, file)
  }

  /** Closes the database. */
  close(): void {
    this.db.close()
  }

  /** The archive with this name, created with its nomenclature if new; a nomenclature clash is an error. */
  ensureArchive(name: string, nomenclature: NomenclatureId): ArchiveInfo {
    const row = this.db.prepare('SELECT id, name, nomenclature FROM archives WHERE name = ?').get(name) as
      | ArchiveInfo
      | undefined
    if (row) {
      if (row.nomenclature !== nomenclature) {
        throw new Error(`archive "${name}" is labelled in ${row.nomenclature}, not ${nomenclature}`)
      }
      return row
    }
    const id = Number(this.db.prepare('INSERT INTO archives (name, nomenclature) VALUES (?, ?)').run(name, nomenclature).lastInsertRowid)
    return { id, name, nomenclature }
  }

  /** Every archive, by id. */
  archives(): ArchiveInfo[] {
    return this.db.prepare('SELECT id, name, nomenclature FROM archives ORDER BY id').all() as ArchiveInfo[]
  }

  /**
   * Inserts a patch, or updates the patch of that name (keeping what the new record leaves null, such as
   * the pixel location a metadata-only import does not know). Call inside a transaction.
   */
  upsertPatch(archive: ArchiveInfo, r: PatchRecord): number {
    const [w, s, e, n] = bboxOf(r.footprint)
    const row = {
      name: r.name,
      archive_id: archive.id,
      satellite: r.satellite,
      acquired_at: r.acquiredAt,
      season: seasonCode(seasonOf(r.acquiredAt)),
      country: r.country,
      tile: r.tile,
      epsg: r.utm.epsg,
      utm_west: r.utm.west,
      utm_south: r.utm.south,
      utm_east: r.utm.east,
      utm_north: r.utm.north,
      footprint: encodeFootprint(r.footprint),
      labels_mask: r.labelsMask,
      split: r.split,
      snow: r.snow === null ? null : Number(r.snow),
      cloud: r.cloud === null ? null : Number(r.cloud),
      pixels_path: r.pixelsPath,
    }
    let id = this.findIdStmt.get(r.name) as number | undefined
    if (id === undefined) {
      id = Number(this.insertStmt.run({ ...row, labels_mask: row.labels_mask ?? 0 }).lastInsertRowid)
    } else {
      this.updateStmt.run({ ...row, id })
    }
    // The R*Tree stores float32: the box is rounded outward by SQLite, so it still contains the footprint.
    this.rtreeStmt.run(id, w, e, s, n)
    return id
  }

  /** Records a finished import. Call inside the import's transaction. */
  recordImport(kind: string, source: string, archive: ArchiveInfo | null, startedAt: Date, patches: number): void {
    this.db
      .prepare('INSERT INTO imports (kind, source, archive_id, started_at, finished_at, patch_count) VALUES (?, ?, ?, ?, ?, ?)')
      .run(kind, source, archive?.id ?? null, startedAt.toISOString(), new Date().toISOString(), patches)
  }

  /** Id of the patch with this name; the error names an unknown patch. */
  patchId(name: string): number {
    const id = this.findIdStmt.get(name) as number | undefined
    if (id === undefined) throw new Error(`unknown patch ${JSON.stringify(name)}: not in catalog ${this.file}`)
    return id
  }

  /** Names of patches by id (ids without a patch are left out). */
  patchNames(ids: Iterable<number>): Map<number, string> {
    const stmt = this.db.prepare('SELECT name FROM patches WHERE id = ?').pluck()
    const out = new Map<number, string>()
    for (const id of ids) {
      const name = stmt.get(id) as string | undefined
      if (name !== undefined) out.set(id, name)
    }
    return out
  }

  /** Number of patches. */
  /** True when some patch's pixels path starts with `prefix` (e.g. the demo generator's `demo://`). */
  hasPixelsPathPrefix(prefix: string): boolean {
    const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    return this.db.prepare("SELECT 1 FROM patches WHERE pixels_path LIKE ? ESCAPE '\\' LIMIT 1").get(pattern) !== undefined
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM patches').pluck().get() as number
  }

  /** Stores a user's free-text feedback. */
  addFeedback(text: string): FeedbackEntry {
    const t = text.trim()
    if (t.length === 0) throw new Error('feedback is empty')
    if (t.length > 10_000) throw new Error(`feedback is ${t.length} characters; at most 10000`)
    const createdAt = new Date().toISOString()
    const id = Number(this.db.prepare('INSERT INTO feedback (text, created_at) VALUES (?, ?)').run(t, createdAt).lastInsertRowid)
    return { id, text: t, createdAt }
  }

  /** All feedback, newest first. */
  feedback(): FeedbackEntry[] {
    return this.db
      .prepare('SELECT id, text, created_at AS createdAt FROM feedback ORDER BY id DESC')
      .all() as FeedbackEntry[]
  }

  /** Summary of what the catalog holds. */
  stats(): CatalogStats {
    const db = this.db
    const range = db.prepare('SELECT min(acquired_at) AS lo, max(acquired_at) AS hi FROM patches').get() as {
      lo: number | null
      hi: number | null
    }
    const box = db
      .prepare('SELECT min(min_lon) AS w, min(min_lat) AS s, max(max_lon) AS e, max(max_lat) AS n FROM patch_rtree')
      .get() as { w: number | null; s: number; e: number; n: number }
    const iso = (t: number | null): string | null => (t === null ? null : new Date(t * 1000).toISOString().replace('.000Z', 'Z'))
    return {
      file: this.file,
      schemaVersion: db.pragma('user_version', { simple: true }) as number,
      patches: this.count(),
      archives: db
        .prepare(
          `SELECT a.name, a.nomenclature, count(p.id) AS patches, count(p.pixels_path) AS withPixels
           FROM archives a LEFT JOIN patches p ON p.archive_id = a.id GROUP BY a.id ORDER BY a.id`,
        )
        .all() as CatalogStats['archives'],
      countries: db
        .prepare('SELECT coalesce(country, \'(unknown)\') AS country, count(*) AS patches FROM patches GROUP BY 1 ORDER BY 2 DESC, 1')
        .all() as CatalogStats['countries'],
      satellites: db
        .prepare('SELECT satellite, count(*) AS patches FROM patches GROUP BY 1 ORDER BY 1')
        .all() as CatalogStats['satellites'],
      seasons: (db.prepare('SELECT season, count(*) AS patches FROM patches GROUP BY 1 ORDER BY 1').all() as {
        season: number
        patches: number
      }[]).map((r) => ({ season: SEASON_NAMES[r.season] ?? String(r.season), patches: r.patches })),
      firstAcquisition: iso(range.lo),
      lastAcquisition: iso(range.hi),
      bbox: box.w === null ? null : [box.w, box.s, box.e, box.n],
      imports: db
        .prepare('SELECT kind, source, finished_at AS finishedAt, patch_count AS patches FROM imports ORDER BY id')
        .all() as CatalogStats['imports'],
      feedback: db.prepare('SELECT count(*) FROM feedback').pluck().get() as number,
    }
  }
}
