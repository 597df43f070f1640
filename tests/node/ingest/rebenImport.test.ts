import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Catalog } from '../../../src-main/catalog/catalog'
import { importReben } from '../../../src-main/ingest/reben'
import { ImportCancelledError } from '../../../src-main/catalog/importRun'
import type { Progress } from '../../../src-main/common/progress'
import { SearchEngine } from '../../../src-main/search/engine'
import { syntheticRows, writeRebenParquet } from '../fixtures'
import { shared } from '../../sharedData'

/** Everything a failed import must leave untouched. */
function snapshot(c: Catalog): string {
  const rows = c.db.prepare('SELECT name, labels_mask, acquired_at, country FROM patches ORDER BY name').raw().all()
  const rtree = c.db.prepare('SELECT count(*) FROM patch_rtree').pluck().get()
  const imports = c.db.prepare('SELECT count(*) FROM imports').pluck().get()
  const archives = c.db.prepare('SELECT count(*) FROM archives').pluck().get()
  return JSON.stringify({ rows, rtree, imports, archives })
}

describe('reBEN import', () => {
  let dir: string
  let catalog: Catalog

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eq-import-'))
    catalog = Catalog.open(join(dir, 'catalog.db'))
    await importReben(catalog, [writeRebenParquet(join(dir, 'base.parquet'), syntheticRows(200))])
  })
  afterEach(() => {
    catalog.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('imports rows with footprints, seasons and labels, reporting progress', async () => {
    const progress: Progress[] = []
    const more = syntheticRows(300).slice(200).map((r) => ({ ...r, patch_id: r.patch_id.replace('R022', 'R079') }))
    const r = await importReben(catalog, [writeRebenParquet(join(dir, 'more.parquet'), more)], { onProgress: (p) => progress.push(p) })
    expect(r.imported).toBe(100)
    expect(catalog.count()).toBe(300)
    expect(progress.at(-1)).toMatchObject({ done: 100, total: 100 })
    const stats = catalog.stats()
    expect(stats.archives).toEqual([{ name: 'BigEarthNet v2', nomenclature: 'ben19', patches: 300, withPixels: 0 }])
    expect(stats.seasons.map((s) => s.season).sort()).toEqual(['autumn', 'spring', 'summer', 'winter'])
  })

  it('re-importing the same rows updates them instead of duplicating', async () => {
    const before = snapshot(catalog)
    await importReben(catalog, [join(dir, 'base.parquet')])
    expect(catalog.count()).toBe(200)
    expect(JSON.parse(snapshot(catalog)).rows).toEqual(JSON.parse(before).rows)
  })

  const failures: [string, (dir: string) => string[], RegExp][] = [
    ['a file that is not Parquet', (d) => { writeFileSync(join(d, 'x.parquet'), 'patch_id,labels\nfoo,bar\n'); return [join(d, 'x.parquet')] }, /x\.parquet: not a readable Parquet file/],
    ['an empty file', (d) => { writeFileSync(join(d, 'e.parquet'), ''); return [join(d, 'e.parquet')] }, /e\.parquet: not a Parquet file \(0 bytes/],
    ['a missing file', (d) => [join(d, 'absent.parquet')], /absent\.parquet: cannot read/],
    ['a truncated Parquet file', (d) => {
      const full = readFileSync(writeRebenParquet(join(d, 'full.parquet'), syntheticRows(150)))
      writeFileSync(join(d, 't.parquet'), full.subarray(0, Math.floor(full.length * 0.6)))
      return [join(d, 't.parquet')]
    }, /t\.parquet: not a readable Parquet file, perhaps truncated/],
    ['a patch_id that does not parse', (d) => [writeRebenParquet(join(d, 'bad-id.parquet'), [
      ...syntheticRows(5).map((r) => ({ ...r, patch_id: r.patch_id.replace('R022', 'R100') })),
      { patch_id: 'S2A_MSIL2A_2017061T101031_N9999_R022_T33UUP_1_1', labels: ['Pastures'], country: 'Austria' },
    ])], /bad-id\.parquet row 5: .*patch_id "S2A_MSIL2A_2017061T101031_N9999_R022_T33UUP_1_1" does not parse/],
    ['an unknown label name', (d) => [writeRebenParquet(join(d, 'bad-label.parquet'), [
      { patch_id: 'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_50_50', labels: ['Pastures', "Moon dust'); DROP TABLE patches;--"], country: 'Austria' },
    ])], /patch S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_50_50: unknown label "Moon dust'\); DROP TABLE patches;--"/],
    ['a Parquet file without the reBEN columns', (d) => {
      writeRebenParquet(join(d, 'ok.parquet'), syntheticRows(1))
      return [join(d, 'ok.parquet'), shared('bigearthnet', 's2-l1c-source-tiles.csv')]
    }, /not a (readable )?Parquet file/],
  ]

  it.each(failures)('rejects %s with a clear message and leaves the catalog unchanged', async (_what, make, message) => {
    const before = snapshot(catalog)
    const size = statSync(join(dir, 'catalog.db')).size
    await expect(importReben(catalog, make(dir))).rejects.toThrow(message)
    expect(snapshot(catalog)).toBe(before)
    expect(statSync(join(dir, 'catalog.db')).size).toBe(size)
    // The search index still answers from the unchanged catalog.
    expect(new SearchEngine(catalog.db).search({}).total).toBe(200)
  })

  it('a cancelled import leaves the catalog as it was', async () => {
    const before = snapshot(catalog)
    const rows = syntheticRows(20_000).map((r, i) => ({ ...r, patch_id: r.patch_id.replace(/_\d+_\d+$/, `_${i % 90}_${Math.floor(i / 90) % 90}`).replace('R022', `R${String(100 + Math.floor(i / 8100)).padStart(3, '0')}`) }))
    const file = writeRebenParquet(join(dir, 'big.parquet'), rows)
    const controller = new AbortController()
    const run = importReben(catalog, [file], { signal: controller.signal, onProgress: (p) => { if (p.done >= 4096) controller.abort() } })
    await expect(run).rejects.toBeInstanceOf(ImportCancelledError)
    expect(snapshot(catalog)).toBe(before)
  })
})

describe('catalog file', () => {
  it('refuses a file that is not a SQLite database, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eq-notdb-'))
    const file = join(dir, 'x.db')
    copyFileSync(shared('clc', 'clc_levels.json'), file)
    expect(() => Catalog.open(file)).toThrow(/cannot open catalog .*x\.db: file is not a database/)
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses to query a catalog that does not exist', () => {
    expect(() => Catalog.open('/nonexistent/dir/c.db', { mustExist: true })).toThrow(/catalog \/nonexistent\/dir\/c\.db does not exist/)
  })

  it('stores feedback with its time and rejects empty feedback', () => {
    const c = Catalog.open(':memory:')
    const f = c.addFeedback('  labels look off near Lisbon ')
    expect(f.text).toBe('labels look off near Lisbon')
    expect(Date.parse(f.createdAt)).not.toBeNaN()
    expect(() => c.addFeedback('   ')).toThrow(/feedback is empty/)
    expect(c.feedback()).toHaveLength(1)
    c.close()
  })
})
