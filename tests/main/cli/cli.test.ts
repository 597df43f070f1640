import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { cli } from './cliHarness'
import { SCHEMA_VERSION } from '../../../src-main/catalog/schema'
import type { SearchResult } from '../../../src-main/contract/query'
import { syntheticRows, writeRebenParquet } from '../../node/fixtures'
import { hasSharedData, shared } from '../../sharedData'

const ROOT = resolve(__dirname, '..', '..', '..')
const BUILT_CLI = join(ROOT, 'out', 'main', 'cli.js')

describe('earthqube CLI', () => {
  let dir: string
  let db: string
  let parquet: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'eq-cli-'))
    db = join(dir, 'catalog.db')
    parquet = writeRebenParquet(join(dir, 'meta.parquet'), syntheticRows(200))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('imports reBEN metadata, answers a query as JSON and prints stats', async () => {
    const imp = await cli('import', 'reben', parquet, '--db', db)
    expect(imp).toMatchObject({ code: 0, err: '' })
    expect(imp.out).toMatch(/^imported 200 patches into "BigEarthNet v2"/)
    const q = await cli('query', '--db', db, '--json', '{"countries":["Switzerland"],"labels":{"operator":"some","labels":["2"]},"page":{"limit":3}}')
    expect(q.code).toBe(0)
    const result = JSON.parse(q.out) as SearchResult
    expect(result.total).toBe(syntheticRows(200).filter((r, i) => i % 10 === 0 && r.labels.some((l) => ['Arable land', 'Pastures'].includes(l))).length)
    expect(result.items).toHaveLength(3)
    expect(result.items[0]).toHaveProperty('footprint.type', 'Polygon')
    const stats = await cli('stats', '--db', db)
    expect(JSON.parse(stats.out)).toMatchObject({ patches: 200, schemaVersion: SCHEMA_VERSION })
  })

  const failures: [string, string[], RegExp][] = [
    ['a query without --db', ['query', '--json', '{}'], /required option '--db <file>' not specified/],
    ['JSON that does not parse', ['query', '--db', 'DB', '--json', '{"page": '], /^earthqube: --json is not valid JSON/],
    ['a query over the limit', ['query', '--db', 'DB', '--json', '{"page":{"limit":1001}}'], /^earthqube: invalid query: page\.limit: page\.limit must be at most 1000/],
    ['a catalog that does not exist', ['stats', '--db', '/nonexistent/c.db'], /^earthqube: catalog \/nonexistent\/c\.db does not exist/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['a Parquet file that is not one', ['import', 'reben', 'NOTPARQUET', '--db', 'DB'], /^earthqube: .*bad\.parquet: not a readable Parquet file/],
  ]

  it.each(failures)('fails on %s with a non-zero exit and a clear line on stderr', async (_what, argv, message) => {
    writeFileSync(join(dir, 'bad.parquet'), 'not parquet at all, just text')
    const before = readFileSync(db)
    const r = await cli(...argv.map((a) => (a === 'DB' ? db : a === 'NOTPARQUET' ? join(dir, 'bad.parquet') : a)))
    expect(r.code).not.toBe(0)
    expect(r.err).toMatch(message)
    expect(r.out).toBe('')
    expect(readFileSync(db).equals(before)).toBe(true)
  })

  it.skipIf(!hasSharedData)('inspects a user GeoTIFF, and refuses a file that is not one', async () => {
    const r = await cli('inspect', shared('eurosat', 'Pasture_300.tif'))
    expect(r.code).toBe(0)
    const image = JSON.parse(r.out) as { kind: string; bands: { band: string; width: number }[]; utm: { epsg: number } }
    expect(image.kind).toBe('multiband')
    expect(image.bands).toHaveLength(13)
    expect(image.bands.every((b) => b.width === 64)).toBe(true)
    expect(image.utm.epsg).toBeGreaterThan(32600)
    const bad = await cli('inspect', join(ROOT, 'package.json'))
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/^earthqube: .*package\.json is not a TIFF file/)
  })

  it.skipIf(!existsSync(BUILT_CLI))('runs as `npx earthqube` from the checkout (built bin)', () => {
    const out = execFileSync('npx', ['--no-install', 'earthqube', 'query', '--db', db, '--json', '{"page":{"limit":1}}'], { cwd: ROOT, encoding: 'utf8' })
    expect((JSON.parse(out) as SearchResult).total).toBe(200)
    const bad = spawnSync('node', [BUILT_CLI, 'query', '--db', db, '--json', '{"area":{"type":"bbox","west":0,"south":5,"east":1,"north":4}}'], { encoding: 'utf8' })
    expect(bad.status).toBe(1)
    expect(bad.stderr.trim().split('\n')).toEqual(['earthqube: invalid query: area: bbox south (5) is greater than north (4)'])
  })
})

describe('earthqube demo', () => {
  it('builds the simulated archive in a catalog and exports it as BigEarthNet v2 folders that import back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eq-cli-demo-'))
    try {
      const db = join(dir, 'demo.db')
      const built = await cli('demo', '--n', '40', '--seed', '7', '--db', db)
      expect(built.code).toBe(0)
      expect(built.out).toMatch(/imported 40 patches into "EarthQube demo \(simulated\)"/)
      expect(built.out).toMatch(/simulated imagery/)
      const exported = await cli('demo', 'export', '--n', '5', '--seed', '7', '--out', join(dir, 'export'))
      expect(exported.code).toBe(0)
      expect(exported.out).toMatch(/^wrote 5 simulated patches/)
      const v2 = join(dir, 'v2.db')
      const imported = await cli('import', 'v2', join(dir, 'export', 'BigEarthNet-S2'), '--metadata', join(dir, 'export', 'metadata.parquet'), '--db', v2)
      expect(imported.out).toMatch(/^imported 5 patches/)
      // The same five patches, same names, in both.
      const names = async (file: string): Promise<string[]> => (JSON.parse((await cli('query', '--db', file, '--json', '{"page":{"limit":1000}}')).out) as SearchResult).items.map((i) => i.name)
      const inDemo = await names(db)
      const inV2 = await names(v2)
      expect(inV2).toHaveLength(5)
      expect(inV2.every((n) => inDemo.includes(n))).toBe(true)
      const bad = await cli('demo', '--n', '600000', '--db', db)
      expect(bad.err).toMatch(/^earthqube: demo archive size 600000 is not a whole number from 1 to 549,488/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
