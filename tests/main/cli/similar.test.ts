import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cli } from './cliHarness'
import { Catalog } from '../../../src-main/catalog/catalog'
import { codeToHex } from '../../../src-main/hashcode/hashCode'
import { ensureHashModel, loadCodes, storeCodes } from '../../../src-main/catalog/codes'
import { importReben } from '../../../src-main/ingest/reben'
import { syntheticRows, writeRebenParquet } from '../../node/fixtures'
import { hasSharedData, shared } from '../../sharedData'
import { V2_PATCH } from '../../node/inference/fixtures'
import { hammingBytes as hamming } from '../../support'

/** Hamming distance between two byte codes (the oracle). */

describe('earthqube similar and codes', () => {
  let dir: string
  let db: string
  const codes = new Map<string, Uint8Array>()

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eq-similar-'))
    db = join(dir, 'c.db')
    const catalog = Catalog.open(db)
    await importReben(catalog, [writeRebenParquet(join(dir, 'm.parquet'), syntheticRows(200))])
    // Codes made directly (the model issue computes real ones): clustered by label set, with noise.
    ensureHashModel(catalog.db, 'test-128', 128)
    const rows = catalog.db.prepare('SELECT id, name, labels_mask FROM patches ORDER BY id').all() as { id: number; name: string; labels_mask: number }[]
    let state = 7
    const rand = (): number => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const entries = rows.map((r) => {
      const code = new Uint8Array(16)
      for (let i = 0; i < 16; i++) code[i] = (r.labels_mask * 37 + i * 11) & 0xff
      for (let f = 0; f < 3; f++) {
        const bit = Math.floor(rand() * 128)
        code[bit >> 3]! ^= 1 << (bit & 7)
      }
      codes.set(r.name, code)
      return { patchId: r.id, code }
    })
    storeCodes(catalog.db, 'test-128', entries)
    catalog.close()
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const names = (): string[] => [...codes.keys()]

  it('finds the k nearest patches, nearest first, ties by id, matching a brute-force scan', async () => {
    const query = names()[5]!
    const r = await cli('similar', '--db', db, '--name', query, '--k', '12')
    expect(r.err).toBe('')
    const result = JSON.parse(r.out) as { model: string; items: { name: string; distance: number }[] }
    expect(result.model).toBe('test-128')
    const q = codes.get(query)!
    const expected = names()
      .map((n, id) => ({ n, id, d: hamming(q, codes.get(n)!) }))
      .sort((a, b) => a.d - b.d || a.id - b.id)
      .slice(0, 12)
    expect(result.items).toEqual(expected.map((e) => ({ name: e.n, distance: e.d })))
    expect(result.items[0]).toEqual({ name: query, distance: 0 })
  })

  it('returns everything within a radius, restricted to a catalog query', async () => {
    const query = names()[3]!
    const filter = '{"countries":["Austria"],"satellites":["S2A"]}'
    const r = await cli('similar', '--db', db, '--name', query, '--radius', '6', '--json', filter)
    const items = (JSON.parse(r.out) as { items: { name: string; distance: number }[] }).items
    const allowed = syntheticRows(200).filter((row, i) => i % 10 !== 0 && row.patch_id.startsWith('S2A')).map((row) => row.patch_id)
    const expected = allowed.map((n) => ({ name: n, distance: hamming(codes.get(query)!, codes.get(n)!) })).filter((e) => e.distance <= 6)
    expect(items.map((i) => i.name).sort()).toEqual(expected.map((e) => e.name).sort())
    expect(items.map((i) => i.distance)).toEqual([...items.map((i) => i.distance)].sort((a, b) => a - b))
  })

  it('prints every code as name<TAB>hex, by name', async () => {
    const r = await cli('codes', '--db', db)
    const lines = r.out.trimEnd().split('\n')
    expect(lines).toHaveLength(200)
    const sorted = [...names()].sort()
    expect(lines[0]).toBe(`${sorted[0]}\t${codeToHex(codes.get(sorted[0]!)!)}`)
    const catalog = Catalog.open(db)
    expect(loadCodes(catalog.db, 'test-128').ids).toHaveLength(200)
    catalog.close()
  })

  const failures: [string, string[], RegExp][] = [
    ['an unknown patch', ['similar', '--db', 'DB', '--name', "nope'; --"], /^earthqube: unknown patch "nope'; --"/],
    ['k ≤ 0', ['similar', '--db', 'DB', '--name', 'FIRST', '--k', '0'], /^earthqube: .*k/],
    ['a radius beyond K/4', ['similar', '--db', 'DB', '--name', 'FIRST', '--radius', '33'], /^earthqube: .*radius 33/],
    ['a negative radius', ['similar', '--db', 'DB', '--name', 'FIRST', '--radius', '-1'], /^earthqube: .*radius -1/],
    ['k and radius together', ['similar', '--db', 'DB', '--name', 'FIRST', '--k', '3', '--radius', '2'], /^earthqube: give --k or --radius, not both/],
    ['a k that is not a number', ['similar', '--db', 'DB', '--name', 'FIRST', '--k', 'ten'], /^earthqube: --k must be a whole number, not "ten"/],
    ['an unknown model', ['codes', '--db', 'DB', '--model', 'other'], /^earthqube: no codes for model "other" in this catalog \(models with codes: test-128\)/],
    ['a bad filter', ['similar', '--db', 'DB', '--name', 'FIRST', '--json', '{"page":{"limit":-3}}'], /^earthqube: invalid query: page\.limit/],
  ]

  it.each(failures)('refuses %s with one clear line', async (_what, argv, message) => {
    const r = await cli(...argv.map((a) => (a === 'DB' ? db : a === 'FIRST' ? names()[0]! : a)))
    expect(r.code).toBe(1)
    expect(r.err).toMatch(message)
    expect(r.err.trim().split('\n')).toHaveLength(1)
  })

  it('says when a catalog has no codes yet', async () => {
    const empty = join(dir, 'empty.db')
    const c = Catalog.open(empty)
    await importReben(c, [join(dir, 'm.parquet')])
    c.close()
    const r = await cli('similar', '--db', empty, '--name', names()[0]!)
    expect(r.err).toMatch(/^earthqube: this catalog has no hash codes yet/)
  })
})

describe('earthqube index and similar --file (the shipped default model)', () => {
  let dir: string
  let db: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eq-index-'))
    db = join(dir, 'demo.db')
    expect((await cli('demo', '--n', '300', '--db', db)).code).toBe(0)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('lists the default model', async () => {
    const models = JSON.parse((await cli('models')).out) as { id: string; bits: number }[]
    expect(models.find((m) => m.id === 'milan-demo-128')).toMatchObject({ bits: 128 })
  })

  it('indexes the demo archive and resumes without recomputing', async () => {
    const first = await cli('index', '--db', db, '--workers', '1')
    expect(first.err).toBe('')
    expect(first.out).toMatch(/^model milan-demo-128 \(128 bits\): 300 codes stored, 0 already there, 0 failed, of 300 patches/)
    const again = await cli('index', '--db', db)
    expect(again.out).toMatch(/0 codes stored, 300 already there/)
    // An archive patch's nearest code is its own.
    const name = (JSON.parse((await cli('query', '--db', db, '--json', '{"page":{"limit":1}}')).out) as { items: { name: string }[] }).items[0]!.name
    const own = JSON.parse((await cli('similar', '--db', db, '--name', name, '--k', '1')).out) as { items: { name: string; distance: number }[] }
    expect(own.items[0]!.distance).toBe(0)
  })

  it.skipIf(!hasSharedData)('answers a query by a real new example (run after indexing), with the model\'s notes', async () => {
    const r = await cli('similar', '--db', db, '--file', shared('eurosat', 'AnnualCrop_1.tif'), '--k', '5', '--json', '{"seasons":["summer"]}')
    // EuroSAT is Level-1C and 640 m across: the query runs, with both caveats on stderr and in the JSON.
    expect(r.err).toMatch(/^earthqube: note: AnnualCrop_1 has band B10 \(cirrus\), which only Level-1C/)
    expect(r.err).toMatch(/earthqube: note: AnnualCrop_1 covers 6\d\d m × 6\d\d m, the model's patches 1200 m × 1200 m/)
    const result = JSON.parse(r.out) as { query: string; model: string; items: { name: string; distance: number }[]; warnings: string[] }
    expect(result).toMatchObject({ query: 'AnnualCrop_1', model: 'milan-demo-128' })
    expect(result.items).toHaveLength(5)
    expect(result.warnings).toHaveLength(2)
    // A BigEarthNet v2 patch folder (Level-2A, 1200 m) runs without notes.
    const v2 = await cli('similar', '--db', db, '--file', V2_PATCH, '--k', '3')
    expect(v2.err).toBe('')
    expect(JSON.parse(v2.out)).not.toHaveProperty('warnings')
  })

  it('refuses a file that is not a GeoTIFF and an unknown model, naming them', async () => {
    const bad = await cli('similar', '--db', db, '--file', join(dir, 'demo.db'))
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/^earthqube: .*demo\.db is not a TIFF file/)
    const model = await cli('index', '--db', db, '--model', 'no-such-model')
    expect(model.err).toMatch(/^earthqube: no model "no-such-model": not a path, and not among the models \(milan-demo-128/)
    const both = await cli('similar', '--db', db, '--file', 'x.tif', '--name', 'y')
    expect(both.err).toMatch(/give --name <patch> or --file <tif or folder>, one of the two/)
  })
})
