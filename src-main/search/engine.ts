import type Database from 'better-sqlite3'
import { decodeFootprint } from '../catalog/catalog'
import { namesOf, nomenclature, resolveLabelTerms } from '../catalog/nomenclature'
import type { ParsedSearchQuery, SearchItem, SearchResult } from '../contract/query'
import { DEFAULT_PAGE_LIMIT, SATELLITES, SEASON_NAMES, parseSearchQuery } from '../contract/query'
import type { PreparedArea } from './geometry'
import { BoxRelation, assertSimplePolygon, prepareBbox, prepareCircle, preparePolygon } from './geometry'
import type { ScanIndex } from '../catalog/scanIndex'
import { NO_COUNTRY, openScanIndex } from '../catalog/scanIndex'

/** Label test per archive: which bits, how, or never. */
interface LabelTest {
  never: boolean
  lo: number
  hi: number
}

const enum LabelOp {
  None,
  Some,
  Exactly,
  AtLeast,
}

/** How the candidates of an area query were found (reported for benchmarks and --explain). */
export type AreaPlan = 'none' | 'rtree' | 'scan'

/** A search result plus how it was computed. */
export interface ExplainedResult extends SearchResult {
  plan: AreaPlan
  candidates: number
}

/** Above this many estimated candidates, a columnar scan of the boxes beats fetching ids from the R*Tree. */
const RTREE_MAX_CANDIDATES = 8_000
/** Cell size, degrees, of the density grid that estimates how many patches a box holds. */
const GRID_DEG = 0.5

/**
 * Answers catalog queries: an area prefilter (R*Tree for small areas, a columnar scan of the patch
 * boxes for large ones), the exact footprint test on the rim, bitwise label tests, time, satellite,
 * season and country filters, label statistics over the whole result and one sorted page.
 */
export class SearchEngine {
  private index: ScanIndex
  private grid = new Map<number, number>()
  private matchBuffer = new Int32Array(0)
  private markBuffer = new Uint8Array(0)
  private rowByName = new Int32Array(0)
  private readonly rtreeStmt: Database.Statement
  private readonly footprintStmt: Database.Statement
  private readonly generationStmt: Database.Statement

  constructor(private readonly db: Database.Database) {
    this.index = openScanIndex(db)
    this.buildGrid()
    this.rtreeStmt = db
      .prepare('SELECT id FROM patch_rtree WHERE min_lon <= ? AND max_lon >= ? AND min_lat <= ? AND max_lat >= ?')
      .pluck()
    this.footprintStmt = db.prepare('SELECT footprint FROM patches WHERE id = ?').pluck()
    this.generationStmt = db.prepare('SELECT generation FROM catalog_state WHERE id = 1').pluck()
  }

  /** Reloads the scan index if the catalog changed since it was built (e.g. after an import). */
  refresh(): void {
    if ((this.generationStmt.get() as number) !== this.index.generation) {
      this.index = openScanIndex(this.db)
      this.rowByName = new Int32Array(0)
      this.buildGrid()
    }
  }

  /** Number of patches searchable. */
  get size(): number {
    return this.index.size
  }

  private buildGrid(): void {
    const ix = this.index
    const grid = new Map<number, number>()
    for (let i = 0; i < ix.size; i++) {
      const key = cellKey((ix.west[i]! + ix.east[i]!) / 2, (ix.south[i]! + ix.north[i]!) / 2)
      grid.set(key, (grid.get(key) ?? 0) + 1)
    }
    this.grid = grid
  }

  /** Estimated number of patches whose centre lies in the cells a box touches. */
  private estimate(w: number, s: number, e: number, n: number): number {
    const x0 = Math.floor((w + 180) / GRID_DEG), x1 = Math.floor((e + 180) / GRID_DEG)
    const y0 = Math.floor((s + 90) / GRID_DEG), y1 = Math.floor((n + 90) / GRID_DEG)
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > this.grid.size) {
      let total = 0
      for (const [key, count] of this.grid) {
        const x = key % 1000, y = Math.floor(key / 1000)
        if (x >= x0 && x <= x1 && y >= y0 && y <= y1) total += count
      }
      return total
    }
    let total = 0
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) total += this.grid.get(y * 1000 + x) ?? 0
    return total
  }

  /** Validates and runs a query. Throws an Error naming the problem for bad input. */
  search(input: unknown): SearchResult {
    const { plan: _plan, candidates: _candidates, ...result } = this.explain(input)
    return result
  }

  /** Like search, also saying how the area prefilter ran. */
  explain(input: unknown): ExplainedResult {
    const q = parseSearchQuery(input)
    const { matches, total, plan, candidates } = this.filter(q)
    const labelStats = this.labelStats(matches, total)
    const items = this.page(q, matches, total)
    return { total, items, labelStats, plan, candidates }
  }

  /** Patch ids of every match of a query (no page), ascending by (time, name): a filter for similarity search. */
  matchingIds(input: unknown): Int32Array {
    const { matches, total } = this.filter(parseSearchQuery(input))
    const ids = new Int32Array(total)
    for (let k = 0; k < total; k++) ids[k] = this.index.id[matches[k]!]!
    return ids
  }

  /** Rows of the scan index matching a query, in (time, name) order: matches[0 … total). */
  private filter(q: ParsedSearchQuery): { matches: Int32Array; total: number; plan: AreaPlan; candidates: number } {
    const ix = this.index
    const area = prepareArea(q)
    const labelOp = q.labels ? ({ some: LabelOp.Some, exactly: LabelOp.Exactly, atLeast: LabelOp.AtLeast } as const)[q.labels.operator] : LabelOp.None
    const labelTests = this.labelTests(q)
    const countryOk = this.countryFilter(q)
    const satOk = q.satellites ? Uint8Array.from(SATELLITES, (s) => (q.satellites!.includes(s) ? 1 : 0)) : null
    const seasonOk = q.seasons ? Uint8Array.from(SEASON_NAMES, (s) => (q.seasons!.includes(s) ? 1 : 0)) : null
    const tFrom = q.dateFrom ? Date.parse(`${q.dateFrom}T00:00:00Z`) / 1000 : 0
    const tTo = q.dateTo ? Date.parse(`${q.dateTo}T00:00:00Z`) / 1000 + 86_400 : 0xffff_ffff + 1

    // Candidate rows, ascending (= time order).
    let rows: Int32Array | null = null
    let plan: AreaPlan = 'none'
    if (area) {
      const [w, s, e, n] = area.bbox
      if (this.estimate(w, s, e, n) <= RTREE_MAX_CANDIDATES) {
        plan = 'rtree'
        const ids = this.rtreeStmt.all(e, w, n, s) as number[]
        rows = new Int32Array(ids.length)
        for (let k = 0; k < ids.length; k++) rows[k] = ix.rowOfId[ids[k]!]!
        rows.sort()
      } else {
        plan = 'scan'
      }
    }
    const candidates = rows ? rows.length : ix.size

    // One buffer per engine, reused by every query (search is synchronous): no 2 MB allocation per query.
    if (this.matchBuffer.length < candidates) this.matchBuffer = new Int32Array(ix.size)
    const matches = this.matchBuffer
    let total = 0
    const { time, maskLo, maskHi, satellite, season, country, archive, west, south, east, north } = ix
    const [aw, as, ae, an] = area ? area.bbox : [0, 0, 0, 0]
    for (let k = 0; k < candidates; k++) {
      const i = rows ? rows[k]! : k
      const t = time[i]!
      if (t < tFrom || t >= tTo) continue
      if (satOk && satOk[satellite[i]!] === 0) continue
      if (seasonOk && seasonOk[season[i]!] === 0) continue
      if (countryOk && countryOk[country[i]!] === 0) continue
      if (labelOp !== LabelOp.None) {
        const test = labelTests[archive[i]!]!
        if (test.never) continue
        const lo = maskLo[i]!, hi = maskHi[i]!
        if (labelOp === LabelOp.Some) {
          if (((lo & test.lo) | (hi & test.hi)) === 0) continue
        } else if (labelOp === LabelOp.Exactly) {
          if (lo !== test.lo || hi !== test.hi) continue
        } else if (((lo & test.lo) >>> 0) !== test.lo || ((hi & test.hi) >>> 0) !== test.hi) continue
      }
      if (area) {
        const bw = west[i]!, bs = south[i]!, be = east[i]!, bn = north[i]!
        if (be < aw || bw > ae || bn < as || bs > an) continue
        const rel = area.classifyBox(bw, bs, be, bn)
        if (rel === BoxRelation.Outside) continue
        if (rel === BoxRelation.Boundary && !area.intersectsQuad(this.footprintQuad(ix.id[i]!))) continue
      }
      matches[total++] = i
    }
    return { matches, total, plan, candidates }
  }

  private footprintQuad(id: number): Float64Array {
    const blob = this.footprintStmt.get(id) as Buffer
    return new Float64Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + 64))
  }

  private labelTests(q: ParsedSearchQuery): LabelTest[] {
    if (!q.labels) return []
    const resolved = resolveLabelTerms(q.labels.labels)
    return this.index.archives.map((a) => {
      const sel = resolved[a.nomenclature]
      const never = sel.mask === 0 || (q.labels!.operator !== 'some' && sel.hasUnmappedTerm)
      return { never, lo: sel.mask % 0x1_0000_0000, hi: Math.floor(sel.mask / 0x1_0000_0000) }
    })
  }

  private countryFilter(q: ParsedSearchQuery): Uint8Array | null {
    if (!q.countries) return null
    const ok = new Uint8Array(256)
    const known = new Map(this.index.countries.map((c, i) => [c.toLowerCase(), i]))
    for (const c of q.countries) {
      const i = known.get(c.trim().toLowerCase())
      if (i === undefined) {
        const list = this.index.countries.length > 0 ? this.index.countries.join(', ') : 'none (the catalog is empty)'
        throw new Error(`invalid query: countries: unknown country ${JSON.stringify(c)}; the catalog has ${list}`)
      }
      ok[i] = 1
    }
    ok[NO_COUNTRY] = 0
    return ok
  }

  private labelStats(matches: Int32Array, total: number): { label: string; count: number }[] {
    const ix = this.index
    // counts[archive][bit]
    const counts = ix.archives.map(() => new Float64Array(64))
    const { maskLo, maskHi, archive } = ix
    for (let k = 0; k < total; k++) {
      const i = matches[k]!
      const c = counts[archive[i]!]!
      let lo = maskLo[i]!
      while (lo !== 0) {
        const low = lo & -lo
        c[31 - Math.clz32(low)]!++
        lo = (lo ^ low) >>> 0
      }
      let hi = maskHi[i]!
      while (hi !== 0) {
        const low = hi & -hi
        c[63 - Math.clz32(low)]!++
        hi = (hi ^ low) >>> 0
      }
    }
    const byName = new Map<string, number>()
    ix.archives.forEach((a, ai) => {
      const labels = nomenclature(a.nomenclature).labels
      counts[ai]!.forEach((n, bit) => {
        if (n > 0) byName.set(labels[bit] ?? `#${bit}`, (byName.get(labels[bit] ?? `#${bit}`) ?? 0) + n)
      })
    })
    return [...byName].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label))
  }

  private page(q: ParsedSearchQuery, matches: Int32Array, total: number): SearchItem[] {
    const offset = q.page?.offset ?? 0
    const limit = q.page?.limit ?? DEFAULT_PAGE_LIMIT
    if (offset >= total || limit === 0) return []
    const by = q.sort?.by ?? 'datetime'
    const desc = (q.sort?.order ?? 'asc') === 'desc'
    const end = Math.min(total, offset + limit)
    const pick: number[] = []
    if (by === 'datetime') {
      // Matches are already in (time, name) order.
      for (let k = offset; k < end; k++) pick.push(desc ? matches[total - 1 - k]! : matches[k]!)
    } else {
      // Walk all rows in name order and count the matching ones: O(size), no sort of the result.
      const rowByName = this.rowsByName()
      const mark = this.markBuffer.length >= rowByName.length ? this.markBuffer : (this.markBuffer = new Uint8Array(rowByName.length))
      for (let k = 0; k < total; k++) mark[matches[k]!] = 1
      let seen = 0
      for (let j = 0; j < rowByName.length && seen < end; j++) {
        const row = rowByName[desc ? rowByName.length - 1 - j : j]!
        if (mark[row] === 1) {
          if (seen >= offset) pick.push(row)
          seen++
        }
      }
      for (let k = 0; k < total; k++) mark[matches[k]!] = 0
    }
    return this.fetchItems(pick.map((i) => this.index.id[i]!))
  }

  /** Rows in name order (the inverse of nameRank), built on first use. */
  private rowsByName(): Int32Array {
    if (this.rowByName.length !== this.index.size) {
      const rank = this.index.nameRank
      this.rowByName = new Int32Array(this.index.size)
      for (let i = 0; i < rank.length; i++) this.rowByName[rank[i]!] = i
    }
    return this.rowByName
  }

  /** Full items for patch ids, in the given order. */
  fetchItems(ids: number[]): SearchItem[] {
    if (ids.length === 0) return []
    const rows = this.db
      .prepare(
        `SELECT p.id, p.name, p.acquired_at, p.satellite, p.season, p.country, p.labels_mask, p.footprint,
                a.nomenclature FROM patches p JOIN archives a ON a.id = p.archive_id
         WHERE p.id IN (${ids.map(() => '?').join(',')})`,
      )
      .all(...ids) as {
      id: number
      name: string
      acquired_at: number
      satellite: 'S2A' | 'S2B'
      season: number
      country: string | null
      labels_mask: number
      footprint: Buffer
      nomenclature: 'clc43' | 'ben19'
    }[]
    const byId = new Map(rows.map((r) => [r.id, r]))
    return ids.map((id) => {
      const r = byId.get(id)!
      const ring = decodeFootprint(r.footprint)
      const xs = ring.map((p) => p[0])
      const ys = ring.map((p) => p[1])
      return {
        name: r.name,
        bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
        footprint: { type: 'Polygon', coordinates: [ring] },
        datetime: new Date(r.acquired_at * 1000).toISOString().replace('.000Z', 'Z'),
        satellite: r.satellite,
        season: SEASON_NAMES[r.season]!,
        country: r.country,
        labels: namesOf(r.nomenclature, r.labels_mask),
      }
    })
  }
}

function cellKey(lon: number, lat: number): number {
  return Math.floor((lat + 90) / GRID_DEG) * 1000 + Math.floor((lon + 180) / GRID_DEG)
}

function prepareArea(q: ParsedSearchQuery): PreparedArea | null {
  const a = q.area
  if (!a) return null
  if (a.type === 'bbox') return prepareBbox(a.west, a.south, a.east, a.north)
  if (a.type === 'circle') return prepareCircle(a.lon, a.lat, a.radiusMeters)
  const coords = a.coordinates as [number, number][][]
  assertSimplePolygon(coords)
  return preparePolygon(coords)
}

