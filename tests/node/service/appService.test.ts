import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { testModelFolders } from '../../support'
import { AppService } from '../../../src-main/service/appService'
import { Catalog } from '../../../src-main/catalog/catalog'
import { ensureHashModel, storeCodes } from '../../../src-main/catalog/codes'
import { FIXTURE_ROWS, createFixtureCatalog, makeTempDir } from '../../fixtureCatalog'
import { syntheticRows, writeRebenParquet } from '../fixtures'
import type { AppEvent } from '../../../src-main/contract/ipc'

function feedbackCount(file: string): number {
  const catalog = Catalog.open(file, { readonly: true })
  try {
    return catalog.feedback().length
  } finally {
    catalog.close()
  }
}

describe('AppService', () => {
  let temp: ReturnType<typeof makeTempDir>
  let file: string
  let service: AppService

  beforeEach(() => {
    temp = makeTempDir('earthqube-service-')
    file = join(temp.dir, 'catalog.db')
    service = new AppService({ catalogPath: file, mode: 'browser', version: '9.9.9', models: testModelFolders() })
  })
  afterEach(async () => {
    await service.close()
    temp.remove()
  })

  describe('without a catalog file', () => {
    it('reports no stats, and does not create the file', async () => {
      expect(await service.handle('catalog:stats', undefined)).toEqual({ ok: true, value: null })
      expect(existsSync(file)).toBe(false)
    })

    it('answers app:info with no catalog path', async () => {
      expect(await service.handle('app:info', undefined)).toEqual({
        ok: true,
        value: { version: '9.9.9', mode: 'browser', catalogPath: null },
      })
    })

    it('says how to import data when asked to search', async () => {
      const r = await service.handle('search:query', {})
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error).toMatch(/no catalog yet at .*catalog\.db; import data with `npx earthqube import reben/)
      expect(existsSync(file)).toBe(false)
    })

    it('opens the catalog once it appears (data imported while the app runs)', async () => {
      expect(await service.handle('catalog:stats', undefined)).toEqual({ ok: true, value: null })
      await createFixtureCatalog(file)
      const r = await service.handle('catalog:stats', undefined)
      expect(r.ok && r.value?.patches).toBe(FIXTURE_ROWS.length)
    })
  })

  describe('on a catalog with patches', () => {
    beforeEach(async () => {
      await createFixtureCatalog(file)
    })

    it('reports the catalog stats', async () => {
      const r = await service.handle('catalog:stats', undefined)
      if (!r.ok || !r.value) throw new Error(`expected stats, got ${JSON.stringify(r)}`)
      expect(r.value.patches).toBe(5)
      expect(r.value.archives).toEqual([{ name: 'BigEarthNet v2', nomenclature: 'ben19', patches: 5, withPixels: 0 }])
      expect(r.value.firstAcquisition).toBe('2017-06-13T10:10:31Z')
      expect(r.value.lastAcquisition).toBe('2018-05-21T10:00:31Z')
    })

    it('answers app:info with the catalog path', async () => {
      const r = await service.handle('app:info', undefined)
      expect(r).toEqual({ ok: true, value: { version: '9.9.9', mode: 'browser', catalogPath: file } })
    })

    it('runs a query and returns the page, total and label counts', async () => {
      const r = await service.handle('search:query', { labels: { operator: 'some', labels: ['Arable land'] }, sort: { by: 'name' } })
      if (!r.ok) throw new Error(r.error)
      expect(r.value.total).toBe(2)
      expect(r.value.items.map((i) => i.name)).toEqual([
        'S2A_MSIL2A_20180521T100031_N9999_R122_T33UUP_41_12',
        'S2B_MSIL2A_20180205T100139_N9999_R122_T33UUP_40_12',
      ])
      expect(r.value.labelStats).toEqual(
        expect.arrayContaining([
          { label: 'Arable land', count: 2 },
          { label: 'Urban fabric', count: 1 },
        ]),
      )
    })

    it('sees catalog changes made after the first search (by an import, say)', async () => {
      expect((await service.handle('search:query', {})).ok).toBe(true)
      const catalog = Catalog.open(file)
      catalog.db.exec("DELETE FROM patch_rtree WHERE id = (SELECT id FROM patches WHERE name LIKE '%_41_12')")
      catalog.db.exec("DELETE FROM patches WHERE name LIKE '%_41_12'")
      catalog.close()
      const r = await service.handle('search:query', {})
      expect(r.ok && r.value.total).toBe(4)
    })

    it('refuses a bad query with a message naming the field', async () => {
      const r = await service.handle('search:query', { page: { limit: 5000 } })
      expect(r).toEqual({ ok: false, error: 'invalid search:query request: page.limit must be at most 1000' })
    })

    it("passes on the engine's readable errors", async () => {
      const r = await service.handle('search:query', { countries: ['Atlantis'] })
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error).toContain('unknown country "Atlantis"')
    })

    it('finds the patches whose hash codes are nearest, and refuses bad requests readably', async () => {
      const catalog = Catalog.open(file)
      ensureHashModel(catalog.db, 'fixture-64', 64)
      const ids = catalog.db.prepare('SELECT id FROM patches ORDER BY name').pluck().all() as number[]
      // Codes 0, 1, 3, 7, 15 (as 64-bit little-endian): distances from the first are 0, 1, 2, 3, 4.
      storeCodes(catalog.db, 'fixture-64', ids.map((patchId, i) => ({ patchId, code: Uint8Array.of(2 ** i - 1, 0, 0, 0, 0, 0, 0, 0) })))
      const names = catalog.db.prepare('SELECT name FROM patches ORDER BY name').pluck().all() as string[]
      catalog.close()
      const r = await service.handle('similar:query', { name: names[0], k: 3 })
      expect(r).toEqual({ ok: true, value: { model: 'fixture-64', bits: 64, query: names[0], items: names.slice(0, 3).map((name, d) => ({ name, distance: d })) } })
      const within = await service.handle('similar:query', { name: names[0], radius: 2, filter: { satellites: ['S2A'] } })
      if (!within.ok) throw new Error(within.error)
      expect(within.value.items.map((i) => i.name)).toEqual(names.slice(0, 3).filter((n) => n.startsWith('S2A')))
      expect(await service.handle('similar:query', { name: 'nope' })).toEqual({ ok: false, error: expect.stringMatching(/unknown patch "nope"/) })
      expect(await service.handle('similar:query', { name: names[0], k: 2, radius: 1 })).toEqual({ ok: false, error: expect.stringMatching(/give k or radius, not both/) })
      expect(await service.handle('similar:query', { name: names[0], radius: 40 })).toEqual({ ok: false, error: expect.stringMatching(/radius 40 is out of range 0–16 for 64-bit codes/) })

      // Codes changed by another process (a re-index) are seen by the next query: the index reloads.
      const writer = Catalog.open(file)
      storeCodes(writer.db, 'fixture-64', [{ patchId: ids[4]!, code: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0) }])
      writer.close()
      const again = await service.handle('similar:query', { name: names[0], k: 2 })
      if (!again.ok) throw new Error(again.error)
      expect(again.value.items).toEqual([
        { name: names[0], distance: 0 },
        { name: names[4], distance: 0 },
      ])
    })

    it('stores feedback and returns its id', async () => {
      const r = await service.handle('feedback:add', { text: '  the map would help  ' })
      if (!r.ok) throw new Error(r.error)
      expect(r.value.id).toBeGreaterThan(0)
      expect(Number.isNaN(Date.parse(r.value.createdAt))).toBe(false)
      const catalog = Catalog.open(file, { readonly: true })
      expect(catalog.feedback().map((f) => f.text)).toEqual(['the map would help'])
      catalog.close()
    })

    it.each([
      ['empty text', { text: '   ' }, 'feedback is empty'],
      ['no text', {}, 'text'],
      ['extra fields', { text: 'hi', admin: true }, 'admin'],
      ['a string instead of an object', 'hi', 'invalid feedback:add request'],
      ['too long a text', { text: 'x'.repeat(10_001) }, 'at most 10000 characters'],
    ])('refuses feedback with %s and stores nothing', async (_what, payload, message) => {
      const r = await service.handle('feedback:add', payload)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error).toContain(message)
      expect(feedbackCount(file)).toBe(0)
    })

    it('refuses arguments to calls that take none', async () => {
      expect(await service.handle('catalog:stats', { all: true })).toEqual({
        ok: false,
        error: 'invalid catalog:stats request: catalog:stats takes no arguments',
      })
    })

    it('refuses unknown calls, naming the known ones', async () => {
      expect(await service.handle('catalog:drop', undefined)).toEqual({
        ok: false,
        error: 'unknown call "catalog:drop"; the calls are catalog:stats, search:query, feedback:add, similar:query, models:list, jobs:start, jobs:list, jobs:cancel, app:info',
      })
    })

    it('refuses inherited property names as calls', async () => {
      expect((await service.handle('constructor', undefined)).ok).toBe(false)
      expect((await service.handle('__proto__', undefined)).ok).toBe(false)
    })
  })

  it('reports a file that is not a catalog as a readable error', async () => {
    writeFileSync(file, 'this is a text file, not an SQLite database; opening it must fail with a clear message\n'.repeat(20))
    const r = await service.handle('catalog:stats', undefined)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatch(/cannot open catalog .*catalog\.db/)
  })

  describe('jobs', () => {
    it('imports reBEN metadata as a job into a new catalog, with progress events, then searches it', async () => {
      const parquet = writeRebenParquet(join(temp.dir, 'meta.parquet'), syntheticRows(300))
      const events: AppEvent[] = []
      service.onEvent((e) => events.push(e))
      const started = await service.handle('jobs:start', { kind: 'import-reben', files: [parquet] })
      expect(started).toMatchObject({ ok: true, value: { kind: 'import-reben', state: 'queued', title: `Import reBEN metadata (${parquet})` } })
      const id = started.ok ? started.value.id : ''
      const done = await service.whenJobDone(id)
      expect(done).toMatchObject({ state: 'succeeded', message: expect.stringMatching(/^imported 300 patches into "BigEarthNet v2" of .*catalog\.db in /) })
      const states = events.filter((e) => e.name === 'jobs:update').map((e) => e.payload.state)
      expect(states[0]).toBe('queued')
      expect(states).toContain('running')
      expect(states.at(-1)).toBe('succeeded')
      expect(events.at(-1)).toEqual({ name: 'catalog:changed', payload: { cause: 'import-reben', jobId: id } })
      const search = await service.handle('search:query', { page: { limit: 1 } })
      expect(search.ok && search.value.total).toBe(300)
      expect(await service.handle('jobs:list', undefined)).toMatchObject({ ok: true, value: [{ id, state: 'succeeded' }] })
    })

    it('reports a failed import in the job and leaves the catalog unchanged, without a catalog:changed event', async () => {
      await createFixtureCatalog(file)
      const bad = join(temp.dir, 'bad.parquet')
      writeFileSync(bad, 'not parquet at all')
      const events: AppEvent[] = []
      service.onEvent((e) => events.push(e))
      const started = await service.handle('jobs:start', { kind: 'import-reben', files: [bad] })
      const done = await service.whenJobDone(started.ok ? started.value.id : '')
      expect(done.state).toBe('failed')
      expect(done.message).toMatch(/bad\.parquet/)
      expect(events.some((e) => e.name === 'catalog:changed')).toBe(false)
      const stats = await service.handle('catalog:stats', undefined)
      expect(stats.ok && stats.value?.patches).toBe(FIXTURE_ROWS.length)
    })

    it('cancels a job on request; a cancelled import changes nothing', async () => {
      const parquet = writeRebenParquet(join(temp.dir, 'meta.parquet'), syntheticRows(300))
      const started = await service.handle('jobs:start', { kind: 'import-reben', files: [parquet] })
      const id = started.ok ? started.value.id : ''
      expect(await service.handle('jobs:cancel', { id })).toMatchObject({ ok: true, value: { id } })
      expect(await service.whenJobDone(id)).toMatchObject({ state: 'cancelled' })
      // The job created the catalog file; the rolled-back import left it empty.
      const search = await service.handle('search:query', {})
      expect(search.ok && search.value.total).toBe(0)
    })

    it('refuses bad job requests readably, starting nothing', async () => {
      expect(await service.handle('jobs:start', { kind: 'import-v1', folder: 'relative/path' })).toEqual({
        ok: false,
        error: 'invalid jobs:start request: folder must be an absolute path',
      })
      expect(await service.handle('jobs:start', { kind: 'format-disk' })).toMatchObject({ ok: false, error: expect.stringMatching(/^invalid jobs:start request: .*a job is \{kind:"import-reben",files\}/) })
      expect(await service.handle('jobs:start', { kind: 'import-reben', files: [], extra: 1 })).toMatchObject({ ok: false })
      expect(await service.handle('jobs:cancel', { id: 'job-7' })).toEqual({ ok: false, error: 'no job "job-7" (jobs: none)' })
      expect(await service.handle('jobs:list', undefined)).toEqual({ ok: true, value: [] })
    })

    it('lists the shipped hash models', async () => {
      const r = await service.handle('models:list', undefined)
      expect(r).toMatchObject({ ok: true, value: [{ id: 'milan-demo-128', bits: 128 }] })
    })
  })
})
