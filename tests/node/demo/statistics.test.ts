import { describe, it, expect, afterAll } from 'vitest'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { nomenclature } from '../../../src-main/catalog/nomenclature'
import { loadDemoStatistics } from '../../../src-main/demo/statistics'

const TABLE = fileURLToPath(new URL('../../../resources/demo/statistics.json', import.meta.url))

describe('demo statistics table', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'eq-demo-stats-'))
  afterAll(() => rmSync(tmp, { recursive: true, force: true }))

  it('is small and describes reBEN: 549,488 patches in 10 countries, June 2017 to May 2018, label sets in ben19', () => {
    expect(statSync(TABLE).size).toBeLessThan(300 * 1024)
    const stats = loadDemoStatistics(TABLE)
    expect(stats.patches).toBe(549_488)
    expect(stats.countries.map((c) => c.name).sort()).toEqual(
      ['Austria', 'Belgium', 'Finland', 'Ireland', 'Kosovo', 'Lithuania', 'Luxembourg', 'Portugal', 'Serbia', 'Switzerland'],
    )
    expect([...stats.months.keys()][0]).toBe('2017-06')
    expect([...stats.months.keys()].at(-1)).toBe('2018-05')
    for (const c of stats.countries) expect(c.labelSetsCovered / c.patches).toBeGreaterThanOrEqual(0.99)
    const all = 2 ** nomenclature('ben19').labels.length
    for (const c of stats.countries) for (const m of c.labelMasks) expect(m > 0 && m < all).toBe(true)
    expect(stats.products.reduce((n, p) => n + p.patches, 0)).toBe(549_488)
  })

  it('rejects a damaged table with an error naming the file and the problem', () => {
    const table = JSON.parse(readFileSync(TABLE, 'utf8')) as { products: { patches: number }[]; countries: unknown }
    const bad = join(tmp, 'bad.json')
    table.products[0]!.patches += 1
    writeFileSync(bad, JSON.stringify(table))
    expect(() => loadDemoStatistics(bad)).toThrow(new RegExp(`${bad}: product .* patches on .* cells`))
    table.countries = 'none'
    writeFileSync(bad, JSON.stringify(table))
    expect(() => loadDemoStatistics(bad)).toThrow(/is not a demo statistics table: countries/)
    expect(() => loadDemoStatistics(join(tmp, 'absent.json'))).toThrow(/cannot read the demo statistics table .*absent\.json/)
  })
})
