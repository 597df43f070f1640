import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../support'

// The import rules of .dependency-cruiser.cjs, proven on a small tree of deliberately wrong imports:
// each must fail the check with a message naming its rule (npm test runs the same check on the code).

const CONFIG = join(REPO_ROOT, '.dependency-cruiser.cjs')
const DEPCRUISE = join(REPO_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs')
const roots: string[] = []

/** Writes a tree of files (path → source) with a tsconfig, runs dependency-cruiser on it the way npm test does. */
function cruise(files: Record<string, string>): { code: number | null; output: string } {
  const root = mkdtempSync(join(tmpdir(), 'earthqube-depcruise-'))
  roots.push(root)
  writeFileSync(join(root, 'tsconfig.node.json'), JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true } }))
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), source)
  }
  const dirs = [...new Set(Object.keys(files).map((p) => p.split('/')[0]!))]
  const r = spawnSync(process.execPath, [DEPCRUISE, '--config', CONFIG, ...dirs], { cwd: root, encoding: 'utf8' })
  return { code: r.status, output: `${r.stdout}${r.stderr}` }
}

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

const ok = {
  'src-main/common/errors.ts': 'export const errorMessage = (e: unknown): string => String(e)\n',
  'src-main/catalog/catalog.ts': "import { errorMessage } from '../common/errors'\nexport const open = (): string => errorMessage('x')\n",
  'src-main/search/engine.ts': "import { open } from '../catalog/catalog'\nexport const search = (): string => open()\n",
  'src-main/contract/ipc.ts': 'export const CALLS = 1\n',
  'src-renderer/src/app.ts': "import { CALLS } from '../../src-main/contract/ipc'\nexport const n = CALLS\n",
}

describe('the layer check (dependency-cruiser)', () => {
  it('passes imports that go down the layers', () => {
    const r = cruise(ok)
    expect(r.output).toMatch(/no dependency violations found/)
    expect(r.code).toBe(0)
  })

  const cases: [string, Record<string, string>, string, string][] = [
    ['a lower layer importing a higher one', { 'src-main/catalog/bad.ts': "import { search } from '../search/engine'\nexport const x = search\n" }, 'layer-order: catalog/ imports only lower layers', 'src-main/catalog/bad.ts → src-main/search/engine.ts'],
    ['a type-only import against the order', { 'src-main/hashindex/bad.ts': "import type { search } from '../search/engine'\nexport type X = typeof search\n" }, 'layer-order: hashindex/ imports only lower layers', 'src-main/hashindex/bad.ts → src-main/search/engine.ts'],
    ['two folders of one layer', { 'src-main/ingest/bad.ts': "import { x } from '../demo/archive'\nexport const y = x\n", 'src-main/demo/archive.ts': 'export const x = 1\n' }, 'layer-order: ingest/ imports only lower layers', 'src-main/ingest/bad.ts → src-main/demo/archive.ts'],
    ['electron/main outside app/', { 'src-main/search/bad.ts': "import { app } from 'electron/main'\nexport const a = app\n" }, 'electron-only-in-app-and-preload', 'src-main/search/bad.ts → electron/main'],
    ['electron in the service layer', { 'src-main/service/bad.ts': "import { app } from 'electron'\nexport const a = app\n" }, 'electron-only-in-app-and-preload', 'src-main/service/bad.ts → electron'],
    ['the renderer importing the catalog by a relative path', { 'src-renderer/src/relative.ts': "import { open } from '../../src-main/catalog/catalog'\nexport const o = open\n" }, 'renderer-reaches-main-only-through-the-contract', 'src-renderer/src/relative.ts → src-main/catalog/catalog.ts'],
    ['the renderer importing fs', { 'src-renderer/src/fs.ts': "import { readFileSync } from 'fs'\nexport const r = readFileSync\n" }, 'renderer-has-no-node-built-ins', 'src-renderer/src/fs.ts → fs'],
    ['the renderer importing better-sqlite3', { 'src-renderer/src/bad.ts': "import Database from 'better-sqlite3'\nexport const d = Database\n" }, 'renderer-has-no-main-process-packages', 'src-renderer/src/bad.ts → better-sqlite3'],
    ['SQL outside catalog/ and search/', { 'src-main/inference/bad.ts': "import type Database from 'better-sqlite3'\nexport type D = Database.Database\n" }, 'sql-only-in-catalog-and-search', 'src-main/inference/bad.ts → better-sqlite3'],
    ['a cycle', { 'src-main/geo/a.ts': "import { b } from './b'\nexport const a = b\n", 'src-main/geo/b.ts': "import { a } from './a'\nexport const b = () => a\n" }, 'no-cycle', 'src-main/geo/a.ts → '],
    ['a folder without a layer', { 'src-main/misc/bad.ts': "import { errorMessage } from '../common/errors'\nexport const m = errorMessage\n" }, 'unknown-folder: every src-main folder has a layer', 'src-main/misc/bad.ts → src-main/common/errors.ts'],
    ['the contract importing Node', { 'src-main/contract/bad.ts': "import { readFileSync } from 'node:fs'\nexport const r = readFileSync\n" }, 'contract-is-plain', 'src-main/contract/bad.ts → fs'],
    ['product code importing a test', { 'src-main/catalog/testImport.ts': "import { x } from '../../tests/support'\nexport const y = x\n", 'tests/support.ts': 'export const x = 1\n' }, 'product-code-never-imports-tests-bench-or-build', 'src-main/catalog/testImport.ts → tests/support.ts'],
  ]
  // One run over all the wrong imports at once (each case's files are distinct), then one check per case.
  let wrong: { code: number | null; output: string }
  beforeAll(() => {
    wrong = cruise(Object.assign({}, ok, ...cases.map(([, files]) => files)))
  })

  it('fails on wrong imports', () => {
    expect(wrong.code).not.toBe(0)
  })

  it.each(cases)('names the rule for %s', (_what, _files, rule, edge) => {
    expect(wrong.output).toContain(`error ${rule}: ${edge}`)
  })
})
