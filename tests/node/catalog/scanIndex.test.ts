import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Catalog } from '../../../src-main/catalog/catalog'
import { NO_COUNTRY, buildScanIndex, loadScanIndex, openScanIndex, saveScanIndex } from '../../../src-main/catalog/scanIndex'
import { seasonOf } from '../../../src-main/catalog/season'
import { SATELLITES, SEASON_NAMES } from '../../../src-main/contract/query'
import { FIXTURE_ROWS, createFixtureCatalog, makeTempDir } from '../../fixtureCatalog'

interface Row {
  id: number
  name: string
  acquired_at: number
  satellite: string
  season: number
  country: string | null
  labels_mask: number
}

describe('the scan index (columnar copy of the filter columns)', () => {
  let temp: ReturnType<typeof makeTempDir>
  let catalog: Catalog

  beforeEach(async () => {
    temp = makeTempDir('earthqube-scan-')
    const file = join(temp.dir, 'catalog.db')
    await createFixtureCatalog(file)
    catalog = Catalog.open(file)
  })
  afterEach(() => {
    catalog.close()
    temp.remove()
  })

  const rows = (): Row[] =>
    catalog.db.prepare('SELECT id, name, acquired_at, satellite, season, country, labels_mask FROM patches ORDER BY acquired_at, name').all() as Row[]

  it('holds every patch in (time, name) order with its columns, coded by the query language\'s lists', () => {
    const index = buildScanIndex(catalog.db)
    const expected = rows()
    expect(index.size).toBe(FIXTURE_ROWS.length)
    expected.forEach((r, i) => {
      expect(index.id[i]).toBe(r.id)
      expect(index.time[i]).toBe(r.acquired_at)
      expect(SATELLITES[index.satellite[i]!]).toBe(r.satellite)
      expect(index.season[i]).toBe(r.season)
      expect(SEASON_NAMES[index.season[i]!]).toBe(seasonOf(r.acquired_at))
      expect(index.countries[index.country[i]!]).toBe(r.country)
      expect(index.maskLo[i]! + index.maskHi[i]! * 2 ** 32).toBe(r.labels_mask)
      expect(index.rowOfId[r.id]).toBe(i)
      expect(index.west[i]).toBeLessThan(index.east[i]!)
      expect(index.south[i]).toBeLessThan(index.north[i]!)
    })
    // nameRank orders the rows by name.
    const byRank = [...expected.keys()].sort((a, b) => index.nameRank[a]! - index.nameRank[b]!).map((i) => expected[i]!.name)
    expect(byRank).toEqual([...expected.map((r) => r.name)].sort())
  })

  it('codes a patch without a country as NO_COUNTRY', () => {
    catalog.db.prepare('UPDATE patches SET country = NULL WHERE id = 1').run()
    const index = buildScanIndex(catalog.db)
    expect(index.country[index.rowOfId[1]!]).toBe(NO_COUNTRY)
  })

  it('saves and loads back the same columns, and is stale once the patches change', () => {
    const built = buildScanIndex(catalog.db)
    saveScanIndex(catalog.db, built)
    const loaded = loadScanIndex(catalog.db)
    expect(loaded).toEqual(built)
    catalog.db.prepare("UPDATE patches SET country = 'Serbia' WHERE id = 2").run()
    expect(loadScanIndex(catalog.db)).toBeNull()
    const reopened = openScanIndex(catalog.db)
    expect(reopened.countries).toContain('Serbia')
    // openScanIndex saved the rebuilt one: it loads again without a rebuild.
    expect(loadScanIndex(catalog.db)).toEqual(reopened)
  })

  it('takes a damaged snapshot for missing (a short columns blob)', () => {
    saveScanIndex(catalog.db, buildScanIndex(catalog.db))
    catalog.db.prepare('UPDATE scan_snapshot SET columns = substr(columns, 1, 10)').run()
    expect(loadScanIndex(catalog.db)).toBeNull()
    expect(openScanIndex(catalog.db).size).toBe(FIXTURE_ROWS.length)
  })
})
