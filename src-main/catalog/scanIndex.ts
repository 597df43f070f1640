import type Database from 'better-sqlite3'
import { SATELLITES } from '../contract/query'
import type { NomenclatureId } from './nomenclature'

/**
 * A columnar, in-memory copy of the columns every query filters on, one entry per patch in
 * (acquired_at, name) order, so a scan yields matches already sorted by time. Persisted in the catalog
 * (table scan_snapshot) and rebuilt when the patches changed since (catalog_state.generation).
 */
export interface ScanIndex {
  generation: number
  size: number
  id: Int32Array
  time: Uint32Array
  maskLo: Uint32Array
  maskHi: Uint32Array
  /** Rank of the patch's name among all names (for sorting by name). */
  nameRank: Uint32Array
  west: Float64Array
  south: Float64Array
  east: Float64Array
  north: Float64Array
  satellite: Uint8Array
  season: Uint8Array
  country: Uint8Array
  archive: Uint8Array
  /** Row of a patch id, or -1. */
  rowOfId: Int32Array
  countries: string[]
  /** Archive index → id, name and nomenclature. */
  archives: { id: number; name: string; nomenclature: NomenclatureId }[]
}

/** Country code used for patches without a country. */
export const NO_COUNTRY = 255

/** A satellite's code in the scan index: its index in the query language's SATELLITES (unknown → 0, as before). */
function satelliteCode(satellite: string): number {
  return Math.max(0, (SATELLITES as readonly string[]).indexOf(satellite))
}

interface Dictionary {
  countries: string[]
  archives: ScanIndex['archives']
}

type ColumnName = Exclude<keyof ScanIndex, 'generation' | 'size' | 'rowOfId' | 'countries' | 'archives'>
const COLUMNS: [ColumnName, 'i32' | 'u32' | 'f64' | 'u8'][] = [
  ['west', 'f64'], ['south', 'f64'], ['east', 'f64'], ['north', 'f64'],
  ['id', 'i32'], ['time', 'u32'], ['maskLo', 'u32'], ['maskHi', 'u32'], ['nameRank', 'u32'],
  ['satellite', 'u8'], ['season', 'u8'], ['country', 'u8'], ['archive', 'u8'],
]
const BYTES = { i32: 4, u32: 4, f64: 8, u8: 1 } as const

function generationOf(db: Database.Database): number {
  return db.prepare('SELECT generation FROM catalog_state WHERE id = 1').pluck().get() as number
}

function allocate(size: number, dict: Dictionary, generation: number): ScanIndex {
  return {
    generation,
    size,
    id: new Int32Array(size),
    time: new Uint32Array(size),
    maskLo: new Uint32Array(size),
    maskHi: new Uint32Array(size),
    nameRank: new Uint32Array(size),
    west: new Float64Array(size),
    south: new Float64Array(size),
    east: new Float64Array(size),
    north: new Float64Array(size),
    satellite: new Uint8Array(size),
    season: new Uint8Array(size),
    country: new Uint8Array(size),
    archive: new Uint8Array(size),
    rowOfId: new Int32Array(0),
    countries: dict.countries,
    archives: dict.archives,
  }
}

function indexIds(index: ScanIndex): void {
  let maxId = 0
  for (let i = 0; i < index.size; i++) if (index.id[i]! > maxId) maxId = index.id[i]!
  const rowOfId = new Int32Array(maxId + 1).fill(-1)
  for (let i = 0; i < index.size; i++) rowOfId[index.id[i]!] = i
  index.rowOfId = rowOfId
}

/** Builds the scan index from the patches table (about a second for 549k patches). */
export function buildScanIndex(db: Database.Database): ScanIndex {
  const generation = generationOf(db)
  const countries = (db.prepare('SELECT DISTINCT country FROM patches WHERE country IS NOT NULL ORDER BY 1').pluck().all() as string[])
  if (countries.length >= NO_COUNTRY) throw new Error(`catalog has ${countries.length} countries; the scan index holds at most 254`)
  const archives = db.prepare('SELECT id, name, nomenclature FROM archives ORDER BY id').all() as ScanIndex['archives']
  const countryCode = new Map(countries.map((c, i) => [c, i]))
  const archiveCode = new Map(archives.map((a, i) => [a.id, i]))
  const size = db.prepare('SELECT count(*) FROM patches').pluck().get() as number
  const index = allocate(size, { countries, archives }, generation)
  const rows = db
    .prepare(
      `SELECT p.id, p.acquired_at, p.labels_mask, p.satellite, p.season, p.country, p.archive_id,
              r.min_lon, r.min_lat, r.max_lon, r.max_lat
       FROM patches p JOIN patch_rtree r ON r.id = p.id ORDER BY p.acquired_at, p.name`,
    )
    .raw()
    .iterate() as IterableIterator<[number, number, number, string, number, string | null, number, number, number, number, number]>
  let i = 0
  for (const [id, time, mask, sat, season, country, archiveId, w, s, e, n] of rows) {
    index.id[i] = id
    index.time[i] = time
    index.maskLo[i] = mask % 0x1_0000_0000
    index.maskHi[i] = Math.floor(mask / 0x1_0000_0000)
    index.satellite[i] = satelliteCode(sat)
    index.season[i] = season
    index.country[i] = country === null ? NO_COUNTRY : countryCode.get(country)!
    index.archive[i] = archiveCode.get(archiveId)!
    index.west[i] = w
    index.south[i] = s
    index.east[i] = e
    index.north[i] = n
    i++
  }
  if (i !== size) throw new Error(`scan index: ${size} patches but ${i} with an R*Tree entry; the catalog is inconsistent`)
  indexIds(index)
  const byName = db.prepare('SELECT id FROM patches ORDER BY name').pluck().raw(false).iterate() as IterableIterator<number>
  let rank = 0
  for (const id of byName) index.nameRank[index.rowOfId[id]!] = rank++
  return index
}

/** Writes the scan index into the catalog (replacing the previous one). */
export function saveScanIndex(db: Database.Database, index: ScanIndex): void {
  let bytes = 0
  for (const [, t] of COLUMNS) bytes += BYTES[t] * index.size
  const blob = Buffer.alloc(bytes)
  let offset = 0
  for (const [name] of COLUMNS) {
    const col = index[name]
    const src = Buffer.from(col.buffer, col.byteOffset, col.byteLength)
    src.copy(blob, offset)
    offset += col.byteLength
  }
  const dictionary: Dictionary = { countries: index.countries, archives: index.archives }
  db.prepare(
    'INSERT OR REPLACE INTO scan_snapshot (id, generation, row_count, dictionary, columns) VALUES (1, ?, ?, ?, ?)',
  ).run(index.generation, index.size, JSON.stringify(dictionary), blob)
}

/** Loads the saved scan index if it matches the catalog's generation; null if missing or stale. */
export function loadScanIndex(db: Database.Database): ScanIndex | null {
  const row = db.prepare('SELECT generation, row_count, dictionary, columns FROM scan_snapshot WHERE id = 1').get() as
    | { generation: number; row_count: number; dictionary: string; columns: Buffer }
    | undefined
  if (!row || row.generation !== generationOf(db)) return null
  const dict = JSON.parse(row.dictionary) as Dictionary
  const index = allocate(row.row_count, dict, row.generation)
  let offset = 0
  for (const [name, t] of COLUMNS) {
    const col = index[name]
    const len = BYTES[t] * index.size
    if (offset + len > row.columns.length) return null
    row.columns.copy(Buffer.from(col.buffer, col.byteOffset, col.byteLength), 0, offset, offset + len)
    offset += len
  }
  indexIds(index)
  return index
}

/** The catalog's scan index: the saved one when current, else rebuilt (and saved unless read-only). */
export function openScanIndex(db: Database.Database): ScanIndex {
  const saved = loadScanIndex(db)
  if (saved) return saved
  const built = buildScanIndex(db)
  if (!db.readonly) saveScanIndex(db, built)
  return built
}
