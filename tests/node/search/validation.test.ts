import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Catalog } from '../../../src-main/catalog/catalog'
import { importReben } from '../../../src-main/ingest/reben'
import { SearchEngine } from '../../../src-main/search/engine'
import { syntheticRows, writeRebenParquet } from '../fixtures'

const INJECTION = `Austria'); DROP TABLE patches; --"`

describe('search answers bad queries with a message naming the problem', () => {
  let dir: string
  let catalog: Catalog
  let engine: SearchEngine
  const contents = (): string =>
    JSON.stringify([catalog.db.prepare('SELECT * FROM patches ORDER BY id').raw().all(), catalog.db.prepare('SELECT count(*) FROM patch_rtree').pluck().get()])
  let before: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eq-validate-'))
    catalog = Catalog.open(join(dir, 'c.db'))
    await importReben(catalog, [writeRebenParquet(join(dir, 'm.parquet'), syntheticRows(200))])
    engine = new SearchEngine(catalog.db)
    before = contents()
  })
  afterAll(() => {
    // Nothing a bad query does may change the catalog.
    expect(contents()).toBe(before)
    catalog.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const cases: [string, unknown, RegExp][] = [
    ['south > north', { area: { type: 'bbox', west: 10, south: 50, east: 12, north: 40 } }, /bbox south \(50\) is greater than north \(40\)/],
    ['west > east', { area: { type: 'bbox', west: 12, south: 40, east: 10, north: 50 } }, /west \(12\) is greater than east \(10\)/],
    ['latitude out of range', { area: { type: 'bbox', west: 10, south: -91, east: 12, north: 50 } }, /area.*latitude below -90/],
    ['negative radius', { area: { type: 'circle', lon: 13, lat: 48, radiusMeters: -5 } }, /radiusMeters must be positive/],
    ['zero radius', { area: { type: 'circle', lon: 13, lat: 48, radiusMeters: 0 } }, /radiusMeters must be positive/],
    ['an unclosed polygon', { area: { type: 'polygon', coordinates: [[[13, 47], [14, 47], [14, 48], [13, 48]]] } }, /polygon ring 0 is not closed: first position \[13, 47\] differs from last \[13, 48\]/],
    ['a self-intersecting polygon', { area: { type: 'polygon', coordinates: [[[13, 47], [14, 48], [14, 47], [13, 48], [13, 47]]] } }, /polygon is self-intersecting/],
    ['a polygon with too few positions', { area: { type: 'polygon', coordinates: [[[13, 47], [14, 48], [13, 47]]] } }, /at least 4 positions/],
    ['an unknown area type', { area: { type: 'hexagon' } }, /area must be/],
    ['limit > 1000', { page: { offset: 0, limit: 5000 } }, /page\.limit: page\.limit must be at most 1000/],
    ['a negative offset', { page: { offset: -1, limit: 5 } }, /page\.offset must be ≥ 0/],
    ['a fractional limit', { page: { limit: 2.5 } }, /page\.limit must be a whole number/],
    ['an unknown label', { labels: { operator: 'some', labels: ['Arable land', 'Moon dust'] } }, /unknown label "Moon dust"/],
    ['an unknown CLC code', { labels: { operator: 'some', labels: ['99'] } }, /unknown CLC code "99"/],
    ['an unknown operator', { labels: { operator: 'most', labels: ['311'] } }, /labels\.operator must be "some", "exactly" or "atLeast"/],
    ['an impossible date', { dateFrom: '2017-02-30' }, /dateFrom: "2017-02-30" is not a calendar date/],
    ['a date in another format', { dateTo: '13/06/2017' }, /dateTo: dates are "YYYY-MM-DD"/],
    ['dateFrom after dateTo', { dateFrom: '2018-01-02', dateTo: '2018-01-01' }, /dateFrom \(2018-01-02\) is after dateTo \(2018-01-01\)/],
    ['an unknown satellite', { satellites: ['S2C'] }, /satellites are "S2A" or "S2B"/],
    ['an unknown season', { seasons: ['monsoon'] }, /seasons are "spring", "summer", "autumn" or "winter"/],
    ['an unknown field', { area: undefined, colour: 'red' }, /Unrecognized key.*colour/i],
    ['a query that is not an object', 'Austria', /invalid query/],
    ['SQL in a country', { countries: [INJECTION] }, /unknown country "Austria'\); DROP TABLE patches; --\\""; the catalog has Austria, Switzerland/],
    ['SQL in a label', { labels: { operator: 'some', labels: [INJECTION] } }, /unknown label "Austria'\); DROP TABLE patches; --""/],
    ['SQL in a date', { dateFrom: "2017-06-01' OR 1=1 --" }, /dates are "YYYY-MM-DD"/],
    ['SQL in a satellite', { satellites: ["S2A' OR '1'='1"] }, /satellites are "S2A" or "S2B"/],
    ['SQL in sort', { sort: { by: 'name; DROP TABLE patches', order: 'asc' } }, /sort\.by is "datetime" or "name"/],
    ['SQL in the area type', { area: { type: "bbox'--", west: 0, south: 0, east: 1, north: 1 } }, /area must be/],
  ]

  it.each(cases)('%s', (_what, query, message) => {
    expect(() => engine.search(query)).toThrow(message)
  })

  it('accepts the same fields when they are valid', () => {
    const r = engine.search({
      area: { type: 'polygon', coordinates: [[[12, 47], [15, 47], [15, 49], [12, 49], [12, 47]]] },
      dateFrom: '2017-06-01', dateTo: '2018-05-31', satellites: ['S2A', 'S2B'], seasons: ['summer', 'winter'],
      countries: ['austria'], labels: { operator: 'some', labels: ['2', 'Coniferous forest'] },
      page: { offset: 0, limit: 1000 }, sort: { by: 'name', order: 'desc' },
    })
    expect(r.total).toBeGreaterThan(0)
    expect(r.items.map((i) => i.name)).toEqual([...r.items.map((i) => i.name)].sort().reverse())
  })

  it('exactly with a label the archive cannot hold matches nothing; some ignores it', () => {
    // CLC 122 (roads) has no 19-class label.
    expect(engine.search({ labels: { operator: 'exactly', labels: ['122'] } }).total).toBe(0)
    expect(engine.search({ labels: { operator: 'atLeast', labels: ['122', 'Arable land'] } }).total).toBe(0)
    expect(engine.search({ labels: { operator: 'some', labels: ['122', 'Arable land'] } }).total).toBe(
      engine.search({ labels: { operator: 'some', labels: ['Arable land'] } }).total,
    )
  })
})
