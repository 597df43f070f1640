import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Catalog } from '../../../src-main/catalog/catalog'
import { importReben } from '../../../src-main/ingest/reben'
import { SearchEngine } from '../../../src-main/search/engine'
import type { SearchQuery } from '../../../src-main/contract/query'
import { hasSharedData, shared } from '../../sharedData'
import type { OracleRow } from './oracle'
import { distanceToFootprint, intersectsPolygon, loadOracle, seasonOfMonth } from './oracle'

const FILES = [
  shared('bigearthnet', 'reben-metadata.parquet'),
  shared('bigearthnet', 'reben-metadata-snow-cloud-shadow.parquet'),
]

// The whole archive: 549,488 patches, imported once for every test in this file.
describe.skipIf(!hasSharedData)('search over the full reBEN archive, checked against the Parquet rows', () => {
  let dir: string
  let catalog: Catalog
  let engine: SearchEngine
  let oracle: OracleRow[]

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eq-reben-'))
    catalog = Catalog.open(join(dir, 'catalog.db'))
    const result = await importReben(catalog, FILES)
    expect(result.imported).toBe(549_488)
    engine = new SearchEngine(catalog.db)
    oracle = await loadOracle(FILES)
  })

  afterAll(() => {
    catalog?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const namesOf = (rows: OracleRow[]): string[] =>
    [...rows].sort((a, b) => a.time - b.time || (a.name < b.name ? -1 : 1)).map((r) => r.name)

  /** All names of a query's result, in order, fetched page by page. */
  function allNames(q: SearchQuery): string[] {
    const out: string[] = []
    for (let offset = 0; ; offset += 1000) {
      const r = engine.search({ ...q, page: { offset, limit: 1000 } })
      out.push(...r.items.map((i) => i.name))
      if (out.length >= r.total) return out
    }
  }

  it('holds every patch with the counts per country of the Parquet rows', () => {
    const stats = catalog.stats()
    expect(stats.patches).toBe(549_488)
    const byCountry = new Map<string, number>()
    for (const r of oracle) byCountry.set(r.country, (byCountry.get(r.country) ?? 0) + 1)
    expect(new Map(stats.countries.map((c) => [c.country, c.patches]))).toEqual(byCountry)
    expect(stats.firstAcquisition?.startsWith('2017-06')).toBe(true)
    expect(stats.lastAcquisition?.startsWith('2018-05')).toBe(true)
  })

  it('some: a country-size box with either of two labels, exact on the footprints', () => {
    const area = { type: 'bbox' as const, west: -9.5, south: 38.0, east: -7.0, north: 41.0 }
    const coords: [number, number][][] = [[[area.west, area.south], [area.east, area.south], [area.east, area.north], [area.west, area.north], [area.west, area.south]]]
    const q: SearchQuery = { area, labels: { operator: 'some', labels: ['Arable land', 'Pastures'] } }
    const expected = oracle.filter(
      (r) => (r.labels.has('Arable land') || r.labels.has('Pastures')) && intersectsPolygon(r, coords, [area.west, area.south, area.east, area.north]),
    )
    expect(expected.length).toBeGreaterThan(1000)
    const result = engine.search(q)
    expect(result.total).toBe(expected.length)
    expect(allNames(q)).toEqual(namesOf(expected))
    // Label statistics cover the whole result, not the page.
    const counts = new Map<string, number>()
    for (const r of expected) for (const l of r.labels) counts.set(l, (counts.get(l) ?? 0) + 1)
    expect(new Map(result.labelStats.map((s) => [s.label, s.count]))).toEqual(counts)
  })

  it('exactly: the label set equals the selection, over the whole archive', () => {
    const sel = ['Coniferous forest', 'Mixed forest']
    const expected = oracle.filter((r) => r.labels.size === 2 && sel.every((l) => r.labels.has(l)))
    expect(engine.search({ labels: { operator: 'exactly', labels: sel } }).total).toBe(expected.length)
  })

  it('atLeast: contains every selected label, within countries', () => {
    const expected = oracle.filter((r) => r.country === 'Ireland' && r.labels.has('Pastures') && r.labels.has('Inland wetlands'))
    const q: SearchQuery = { countries: ['Ireland'], labels: { operator: 'atLeast', labels: ['Pastures', 'Inland wetlands'] } }
    expect(engine.search(q).total).toBe(expected.length)
    expect(expected.length).toBeGreaterThan(100)
    // A CLC Level-3 name or code reaches the 19-class label it belongs to (412 Peatbogs → Inland wetlands).
    const viaClc = { countries: ['ireland'], labels: { operator: 'atLeast' as const, labels: ['231', 'Peatbogs'] } }
    expect(engine.search(viaClc).total).toBe(expected.length)
  })

  it('a CLC group stands for its leaves: "31" = some forest', () => {
    const forests = ['Broad-leaved forest', 'Coniferous forest', 'Mixed forest']
    const expected = oracle.filter((r) => forests.some((l) => r.labels.has(l)))
    expect(engine.search({ labels: { operator: 'some', labels: ['31'] } }).total).toBe(expected.length)
    expect(engine.search({ labels: { operator: 'some', labels: ['Forests'] } }).total).toBe(expected.length)
  })

  it('circle: geodesic distance to the footprint, exact up to the oracle’s own error', () => {
    const centre: [number, number] = [24.94, 60.17] // Helsinki
    const radius = 40_000
    const result = new Set(allNames({ area: { type: 'circle', lon: centre[0], lat: centre[1], radiusMeters: radius } }))
    // The oracle is spherical (±0.6 %); only patches clearly inside or outside are judged.
    const band = radius * 0.006 + 50
    let inside = 0
    for (const r of oracle) {
      if (Math.abs(r.bbox[1] - centre[1]) > 1 || Math.abs(r.bbox[0] - centre[0]) > 2) continue
      const d = distanceToFootprint(r, centre)
      if (d < radius - band) {
        inside++
        expect(result.has(r.name), `${r.name} at ${d.toFixed(0)} m`).toBe(true)
      } else if (d > radius + band) {
        expect(result.has(r.name), `${r.name} at ${d.toFixed(0)} m`).toBe(false)
      }
    }
    expect(inside).toBeGreaterThan(500)
  })

  it('polygon: footprints intersecting a triangle, with a CLC group label', () => {
    const coords: [number, number][][] = [[[13.0, 47.0], [16.5, 47.2], [14.5, 48.6], [13.0, 47.0]]]
    const q: SearchQuery = { area: { type: 'polygon', coordinates: coords }, labels: { operator: 'some', labels: ['3'] } }
    const level3 = new Set(['Broad-leaved forest', 'Coniferous forest', 'Mixed forest', 'Natural grassland and sparsely vegetated areas',
      'Moors, heathland and sclerophyllous vegetation', 'Transitional woodland, shrub', 'Beaches, dunes, sands'])
    const expected = oracle.filter((r) => [...r.labels].some((l) => level3.has(l)) && intersectsPolygon(r, coords, [13.0, 47.0, 16.5, 48.6]))
    expect(expected.length).toBeGreaterThan(100)
    expect(allNames(q)).toEqual(namesOf(expected))
  })

  it('date range, season and satellite', () => {
    const from = Date.UTC(2017, 11, 1) / 1000, to = Date.UTC(2018, 2, 1) / 1000
    const expected = oracle.filter((r) => r.time >= from && r.time < to && r.satellite === 'S2B' && seasonOfMonth(r.month) === 'winter')
    const q: SearchQuery = { dateFrom: '2017-12-01', dateTo: '2018-02-28', satellites: ['S2B'], seasons: ['winter'] }
    expect(engine.search(q).total).toBe(expected.length)
    const summer = oracle.filter((r) => seasonOfMonth(r.month) === 'summer').length
    expect(engine.search({ seasons: ['summer'] }).total).toBe(summer)
  })

  it('deep pages, in time order and by name descending', () => {
    const expected = namesOf(oracle.filter((r) => r.labels.has('Coniferous forest')))
    const page = engine.search({ labels: { operator: 'some', labels: ['Coniferous forest'] }, page: { offset: 100_000, limit: 50 } })
    expect(page.items.map((i) => i.name)).toEqual(expected.slice(100_000, 100_050))
    const byName = engine.search({ countries: ['Kosovo'], sort: { by: 'name', order: 'desc' }, page: { offset: 10, limit: 5 } })
    const kosovo = oracle.filter((r) => r.country === 'Kosovo').map((r) => r.name).sort().reverse()
    expect(byName.items.map((i) => i.name)).toEqual(kosovo.slice(10, 15))
  })

  it('puts each patch where its BigEarthNet v1 twin says it is (the v1 JSON coordinates)', async () => {
    // The six v1 example patches appear in reBEN under s2v1_name; compare our footprint rule with v1's numbers.
    const v1Names = readdirSync(shared('bigearthnet', 'v1'))
    const twins = new Map<string, string>()
    for (const f of FILES) {
      const rows = await parquetReadObjects({ file: await asyncBufferFromFile(f), columns: ['patch_id', 's2v1_name'], compressors })
      for (const r of rows as { patch_id: string; s2v1_name: string }[]) if (v1Names.includes(r.s2v1_name)) twins.set(r.s2v1_name, r.patch_id)
    }
    expect(twins.size).toBe(v1Names.length)
    for (const [v1, patchId] of twins) {
      const json = JSON.parse(readFileSync(shared('bigearthnet', 'v1', v1, `${v1}_labels_metadata.json`), 'utf8')) as { coordinates: Record<string, number> }
      const row = catalog.db.prepare('SELECT utm_west, utm_north, utm_east, utm_south FROM patches WHERE name = ?').get(patchId)
      expect(row, patchId).toEqual({ utm_west: json.coordinates.ulx, utm_north: json.coordinates.uly, utm_east: json.coordinates.lrx, utm_south: json.coordinates.lry })
    }
  })

  it('items carry the footprint, date, season and labels of the patch', () => {
    const [item] = engine.search({ area: { type: 'circle', lon: 13.5397, lat: 48.2606, radiusMeters: 1 }, countries: ['Austria'] }).items
    expect(item).toBeDefined()
    const row = oracle.find((r) => r.name === item!.name)!
    expect(item!.datetime).toBe(new Date(row.time * 1000).toISOString().replace('.000Z', 'Z'))
    expect(new Set(item!.labels)).toEqual(row.labels)
    expect(item!.footprint.coordinates[0]![0]![0]).toBeCloseTo(row.ring[0]![0], 9)
    expect(item!.season).toBe(seasonOfMonth(row.month))
  })
})
