/**
 * npm run bench:catalog — imports the whole reBEN metadata (549,488 patches) and times a fixed query
 * mix on the catalog and, in the same run, on a naive baseline (same rows in a plain table, no R*Tree,
 * no columnar index, labels as JSON text). Prints a table and records it in docs/benchmarks.md.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { Catalog, decodeFootprint } from '../src-main/catalog/catalog'
import { namesOf, resolveLabelTerms } from '../src-main/catalog/nomenclature'
import type { SearchQuery } from '../src-main/contract/query'
import { parseSearchQuery } from '../src-main/contract/query'
import { importReben } from '../src-main/ingest/reben'
import { SearchEngine } from '../src-main/search/engine'
import { assertSimplePolygon, prepareBbox, prepareCircle, preparePolygon } from '../src-main/search/geometry'
import type { PreparedArea } from '../src-main/search/geometry'
import { machineLine, percentile, recordBenchmark, table } from './report'

const DATA = fileURLToPath(new URL('../../shared/data/bigearthnet', import.meta.url))
const FILES = [join(DATA, 'reben-metadata.parquet'), join(DATA, 'reben-metadata-snow-cloud-shadow.parquet')]

const ring = (pts: [number, number][]): [number, number][][] => [[...pts, pts[0]!]]

/** The fixed mix: country-size boxes with each label operator, polygons, circles, dates, whole archive, deep pages. */
const MIX: [string, SearchQuery][] = [
  ['bbox Portugal, some 2 labels', { area: { type: 'bbox', west: -9.6, south: 36.9, east: -6.1, north: 42.2 }, labels: { operator: 'some', labels: ['Arable land', 'Pastures'] } }],
  ['bbox Finland, exactly 2 labels', { area: { type: 'bbox', west: 20.0, south: 59.7, east: 31.6, north: 70.1 }, labels: { operator: 'exactly', labels: ['Coniferous forest', 'Mixed forest'] } }],
  ['bbox Austria, atLeast 2 labels', { area: { type: 'bbox', west: 9.5, south: 46.4, east: 17.2, north: 49.0 }, labels: { operator: 'atLeast', labels: ['Arable land', 'Broad-leaved forest'] } }],
  ['bbox Serbia, some CLC "31"', { area: { type: 'bbox', west: 18.8, south: 42.2, east: 23.0, north: 46.2 }, labels: { operator: 'some', labels: ['31'] } }],
  ['polygon Ireland (8 vertices)', { area: { type: 'polygon', coordinates: ring([[-10.5, 51.4], [-6.0, 51.9], [-5.9, 54.0], [-7.3, 55.4], [-8.6, 55.2], [-10.2, 54.2], [-10.0, 53.0], [-10.6, 52.0]]) } }],
  ['polygon Lithuania + some "Arable land"', { area: { type: 'polygon', coordinates: ring([[21.0, 56.0], [26.6, 55.7], [25.5, 54.0], [23.5, 53.9], [21.0, 55.2]]) }, labels: { operator: 'some', labels: ['Arable land'] } }],
  ['circle Helsinki 50 km', { area: { type: 'circle', lon: 24.94, lat: 60.17, radiusMeters: 50_000 } }],
  ['circle Lisbon 20 km, some Urban fabric', { area: { type: 'circle', lon: -9.14, lat: 38.72, radiusMeters: 20_000 }, labels: { operator: 'some', labels: ['Urban fabric'] } }],
  ['bbox 10 km near Vienna', { area: { type: 'bbox', west: 16.3, south: 48.15, east: 16.43, north: 48.24 } }],
  ['date Dec–Feb + season winter', { dateFrom: '2017-12-01', dateTo: '2018-02-28', seasons: ['winter'] }],
  ['date + S2B + Lithuania', { dateFrom: '2017-06-01', dateTo: '2017-09-30', satellites: ['S2B'], countries: ['Lithuania'] }],
  ['whole archive, some Coniferous', { labels: { operator: 'some', labels: ['Coniferous forest'] } }],
  ['whole archive, atLeast 2 labels', { labels: { operator: 'atLeast', labels: ['Arable land', 'Pastures'] } }],
  ['deep page 100000, some "3"', { labels: { operator: 'some', labels: ['3'] }, page: { offset: 100_000, limit: 50 } }],
  ['deep page by name desc, Belgium', { countries: ['Belgium'], sort: { by: 'name', order: 'desc' }, page: { offset: 5000, limit: 50 } }],
  ['whole archive, first page', {}],
]

/** The naive baseline: one plain table, labels as JSON text, every filter in SQL, the rest in JS. */
class NaiveBaseline {
  constructor(private readonly db: Database.Database) {}

  static build(catalog: Catalog, file: string): NaiveBaseline {
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.exec(`CREATE TABLE patches (name TEXT PRIMARY KEY, satellite TEXT, acquired_at INTEGER, season INTEGER, country TEXT,
      west REAL, south REAL, east REAL, north REAL, footprint BLOB, labels TEXT)`)
    const ins = db.prepare('INSERT INTO patches VALUES (?,?,?,?,?,?,?,?,?,?,?)')
    const rows = catalog.db
      .prepare(`SELECT p.name, p.satellite, p.acquired_at, p.season, p.country, r.min_lon, r.min_lat, r.max_lon, r.max_lat,
                p.footprint, p.labels_mask FROM patches p JOIN patch_rtree r ON r.id = p.id`)
      .raw()
      .iterate() as IterableIterator<unknown[]>
    db.transaction(() => {
      for (const r of rows) ins.run(...r.slice(0, 10), JSON.stringify(namesOf('ben19', r[10] as number)))
    })()
    return new NaiveBaseline(db)
  }

  search(input: SearchQuery): { total: number; names: string[]; labelStats: Map<string, number> } {
    const q = parseSearchQuery(input)
    const where: string[] = []
    const args: unknown[] = []
    let area: PreparedArea | null = null
    if (q.area) {
      if (q.area.type === 'bbox') area = prepareBbox(q.area.west, q.area.south, q.area.east, q.area.north)
      else if (q.area.type === 'circle') area = prepareCircle(q.area.lon, q.area.lat, q.area.radiusMeters)
      else {
        assertSimplePolygon(q.area.coordinates as [number, number][][])
        area = preparePolygon(q.area.coordinates as [number, number][][])
      }
      const [w, s, e, n] = area.bbox
      where.push('east >= ? AND west <= ? AND north >= ? AND south <= ?')
      args.push(w, e, s, n)
    }
    if (q.dateFrom) { where.push('acquired_at >= ?'); args.push(Date.parse(`${q.dateFrom}T00:00:00Z`) / 1000) }
    if (q.dateTo) { where.push('acquired_at < ?'); args.push(Date.parse(`${q.dateTo}T00:00:00Z`) / 1000 + 86400) }
    if (q.satellites) { where.push(`satellite IN (${q.satellites.map(() => '?').join(',')})`); args.push(...q.satellites) }
    if (q.seasons) {
      where.push(`season IN (${q.seasons.map(() => '?').join(',')})`)
      args.push(...q.seasons.map((s) => ['winter', 'spring', 'summer', 'autumn'].indexOf(s)))
    }
    if (q.countries) { where.push(`country IN (${q.countries.map(() => '?').join(',')})`); args.push(...q.countries) }
    if (q.labels) {
      const names = namesOf('ben19', resolveLabelTerms(q.labels.labels).ben19.mask)
      const likes = names.map(() => 'labels LIKE ?')
      args.push(...names.map((n) => `%${JSON.stringify(n)}%`))
      if (q.labels.operator === 'some') where.push(`(${likes.join(' OR ')})`)
      else where.push(`(${likes.join(' AND ')})`)
      if (q.labels.operator === 'exactly') { where.push('json_array_length(labels) = ?'); args.push(names.length) }
    }
    const rows = this.db
      .prepare(`SELECT name, acquired_at, labels, west, south, east, north, footprint FROM patches ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`)
      .raw()
      .all(...args) as [string, number, string, number, number, number, number, Buffer][]
    const kept = area
      ? rows.filter((r) => {
          const ring = decodeFootprint(r[7])
          return area.intersectsQuad(Float64Array.from(ring.slice(0, 4).flat()))
        })
      : rows
    const labelStats = new Map<string, number>()
    for (const r of kept) for (const l of JSON.parse(r[2]) as string[]) labelStats.set(l, (labelStats.get(l) ?? 0) + 1)
    const byName = q.sort?.by === 'name'
    kept.sort(byName ? (a, b) => (a[0] < b[0] ? -1 : 1) : (a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
    if (q.sort?.order === 'desc') kept.reverse()
    const offset = q.page?.offset ?? 0
    const limit = q.page?.limit ?? 50
    return { total: kept.length, names: kept.slice(offset, offset + limit).map((r) => r[0]), labelStats }
  }
}

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now()
  const r = fn()
  return [r, performance.now() - t0]
}

async function main(): Promise<void> {
  if (!FILES.every(existsSync)) {
    console.log(`bench:catalog skipped: the reBEN metadata is not at ${DATA}`)
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'eq-bench-'))
  const dbFile = join(dir, 'catalog.db')
  try {
    const catalog = Catalog.open(dbFile)
    const [imported, importMs] = [await importReben(catalog, FILES), 0]
    const importSeconds = imported.seconds + importMs
    catalog.db.pragma('wal_checkpoint(TRUNCATE)')
    const dbBytes = statSync(dbFile).size
    const [engine, openMs] = time(() => new SearchEngine(catalog.db))
    const naive = NaiveBaseline.build(catalog, join(dir, 'naive.db'))

    const ITER = 15
    const NAIVE_ITER = 3
    const rows: (string | number)[][] = []
    const all: number[] = []
    const allNaive: number[] = []
    for (const [label, q] of MIX) {
      engine.search(q) // warm-up
      const times: number[] = []
      let plan = ''
      let total = 0
      let names: string[] = []
      let stats = new Map<string, number>()
      for (let i = 0; i < ITER; i++) {
        const [r, ms] = time(() => engine.explain(q))
        times.push(ms)
        plan = r.plan
        total = r.total
        names = r.items.map((x) => x.name)
        stats = new Map(r.labelStats.map((s) => [s.label, s.count]))
      }
      const naiveTimes: number[] = []
      let same = true
      for (let i = 0; i < NAIVE_ITER; i++) {
        const [r, ms] = time(() => naive.search(q))
        naiveTimes.push(ms)
        same = r.total === total && JSON.stringify(r.names) === JSON.stringify(names) &&
          JSON.stringify([...r.labelStats].sort()) === JSON.stringify([...stats].sort())
      }
      all.push(...times)
      allNaive.push(...naiveTimes)
      const p50 = percentile(times, 50)
      const n50 = percentile(naiveTimes, 50)
      rows.push([label, total, plan, p50.toFixed(2), percentile(times, 95).toFixed(2), n50.toFixed(1), `${(n50 / p50).toFixed(0)}×`, same ? 'yes' : 'NO'])
    }
    const p50 = percentile(all, 50)
    const p95 = percentile(all, 95)
    const n50 = percentile(allNaive, 50)
    const n95 = percentile(allNaive, 95)
    const perQuery = table(['query', 'total', 'area plan', 'p50 ms', 'p95 ms', 'naive p50 ms', 'speed-up', 'same result'], rows)
    const summary = table(
      ['measure', 'EarthQube', 'naive baseline', 'target', 'met'],
      [
        ['import 549,488 patches', `${importSeconds.toFixed(1)} s`, '', '≤ 30 s', importSeconds <= 30 ? 'yes' : 'NO'],
        ['database size', `${(dbBytes / 1e6).toFixed(0)} MB`, '', '≤ 300 MB', dbBytes <= 300e6 ? 'yes' : 'NO'],
        ['open search engine (load scan index)', `${openMs.toFixed(0)} ms`, '', '', ''],
        ['query mix p50', `${p50.toFixed(2)} ms`, `${n50.toFixed(1)} ms`, '≤ 30 ms', p50 <= 30 ? 'yes' : 'NO'],
        ['query mix p95', `${p95.toFixed(2)} ms`, `${n95.toFixed(1)} ms`, '≤ 150 ms', p95 <= 150 ? 'yes' : 'NO'],
        ['speed-up at p50 / p95', `${(n50 / p50).toFixed(0)}× / ${(n95 / p95).toFixed(0)}×`, '', '', ''],
      ],
    )
    const text = `${machineLine()}\n\n${summary}\n\n${MIX.length} queries, each ${ITER} runs on EarthQube and ${NAIVE_ITER} on the baseline; every run includes total, a page of 50 and label statistics.\n\n${perQuery}\n`
    console.log(text)
    recordBenchmark('catalog', 'Catalog and search (`npm run bench:catalog`)', text)
    catalog.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
