import { readFileSync } from 'node:fs'
import shippedTable from '../../resources/demo/statistics.json'
import { z } from 'zod'
import { maskOf, nomenclature } from '../catalog/nomenclature'

/** One Sentinel-2 product of reBEN (per country it covers), as the demo archive reuses it. */
export interface DemoProduct {
  satellite: 'S2A' | 'S2B'
  /** Acquisition time as reBEN names spell it, "20170613T101031" (UTC). */
  datetime: string
  /** Acquisition time, UTC seconds since 1970. */
  acquiredAt: number
  /** Month of the acquisition, 1–12. */
  month: number
  orbit: number
  tile: string
  country: string
  /** reBEN patches of this product in this country: the demo's upper bound for it. */
  patches: number
  /** Of those, patches with seasonal snow. */
  snow: number
  /** The cells (Y·grid + X) those patches occupy, ascending. */
  cells: Int32Array
}

/** A country's share of the archive and the label sets its patches carry. */
export interface DemoCountry {
  name: string
  patches: number
  snow: number
  /** Label masks (ben19 bits) of the most frequent label sets, most frequent first. */
  labelMasks: Float64Array
  /** Patches with each of those label sets. */
  labelCounts: Float64Array
  /** Sum of labelCounts (≥ 99 % of the country's patches). */
  labelSetsCovered: number
}

/** The statistics table the simulated archive is drawn from (fitted once from reBEN; counts only). */
export interface DemoStatistics {
  /** Patches in reBEN: the largest demo archive. */
  patches: number
  /** Patch columns and rows per tile. */
  grid: number
  splits: { train: number; validation: number; test: number }
  months: ReadonlyMap<string, number>
  countries: readonly DemoCountry[]
  products: readonly DemoProduct[]
}

const count = z.number().int().nonnegative()

/** Schema of resources/demo/statistics.json (written by build/fit-demo-statistics.mjs). */
const StatisticsFile = z.object({
  patches: count,
  labels: z.array(z.string()).min(1),
  grid: z.number().int().min(1).max(1000),
  splits: z.object({ train: count, validation: count, test: count }),
  months: z.record(z.string().regex(/^\d{4}-\d{2}$/), count),
  countries: z
    .array(
      z.object({
        name: z.string().min(1),
        patches: count,
        snow: count,
        cloud: count,
        labelSetsCovered: count,
        labelSets: z.array(z.tuple([count, count.min(1)])).min(1),
      }),
    )
    .min(1),
  products: z
    .array(
      z.object({
        satellite: z.enum(['S2A', 'S2B']),
        datetime: z.string().regex(/^\d{8}T\d{6}$/),
        orbit: z.number().int().min(1).max(999),
        tile: z.string().regex(/^\d{2}[A-Z]{3}$/),
        country: z.string().min(1),
        patches: count.min(1),
        snow: count,
        cloud: count,
        cells: z.array(count),
      }),
    )
    .min(1),
})

type StatisticsFile = z.infer<typeof StatisticsFile>

function isoOf(datetime: string): string {
  const d = datetime
  return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`
}

/** Decodes run lengths (absent, present, absent, …) into the ascending indices of present cells. */
function decodeCells(runs: readonly number[], size: number, where: string): Int32Array {
  const present = runs.reduce((n, r, i) => (i % 2 === 1 ? n + r : n), 0)
  const cells = new Int32Array(present)
  let at = 0
  let k = 0
  runs.forEach((run, i) => {
    if (i % 2 === 1) for (let j = 0; j < run; j++) cells[k++] = at + j
    at += run
  })
  if (at > size) throw new Error(`${where}: its cells run past the ${size} cells of the tile grid`)
  return cells
}

/** Checks the table's internal consistency and converts it; errors name the entry. */
function convert(file: StatisticsFile, path: string): DemoStatistics {
  const ben19 = nomenclature('ben19').labels
  // The file's label order may differ from the nomenclature's: translate each bit by name.
  const bitMask = file.labels.map((name) => {
    try {
      return maskOf('ben19', [name])
    } catch (e) {
      throw new Error(`${path}: ${(e as Error).message}`)
    }
  })
  if (new Set(file.labels).size !== ben19.length) {
    throw new Error(`${path}: lists ${file.labels.length} labels, expected the ${ben19.length} of the ben19 nomenclature`)
  }
  const countries = file.countries.map((c) => {
    const labelMasks = new Float64Array(c.labelSets.length)
    const labelCounts = new Float64Array(c.labelSets.length)
    c.labelSets.forEach(([mask, n], i) => {
      let m = 0
      for (let bit = 0; bit < file.labels.length; bit++) if ((mask >>> bit) & 1) m += bitMask[bit]!
      if (m === 0 || mask >= 2 ** file.labels.length) throw new Error(`${path}: ${c.name} has label set ${mask}, not a set of the ${file.labels.length} labels`)
      labelMasks[i] = m
      labelCounts[i] = n
    })
    const covered = labelCounts.reduce((a, b) => a + b, 0)
    if (covered !== c.labelSetsCovered || covered > c.patches) {
      throw new Error(`${path}: ${c.name}'s label sets count ${covered} patches, the table says ${c.labelSetsCovered} of ${c.patches}`)
    }
    return { name: c.name, patches: c.patches, snow: c.snow, labelMasks, labelCounts, labelSetsCovered: covered }
  })
  const countryNames = new Set(countries.map((c) => c.name))
  const size = file.grid * file.grid
  const products = file.products.map((p) => {
    const where = `${path}: product ${p.satellite} ${p.datetime} T${p.tile} (${p.country})`
    if (!countryNames.has(p.country)) throw new Error(`${where}: country ${p.country} is not in the table's countries`)
    const cells = decodeCells(p.cells, size, where)
    if (cells.length !== p.patches) throw new Error(`${where}: ${p.patches} patches on ${cells.length} cells`)
    if (p.snow > p.patches) throw new Error(`${where}: ${p.snow} snow patches of ${p.patches}`)
    const iso = isoOf(p.datetime)
    const acquiredAt = Date.parse(iso) / 1000
    if (Number.isNaN(acquiredAt)) throw new Error(`${where}: impossible acquisition time`)
    return { satellite: p.satellite, datetime: p.datetime, acquiredAt, month: Number(p.datetime.slice(4, 6)), orbit: p.orbit, tile: p.tile, country: p.country, patches: p.patches, snow: p.snow, cells }
  })
  const productPatches = products.reduce((n, p) => n + p.patches, 0)
  const countryPatches = countries.reduce((n, c) => n + c.patches, 0)
  if (productPatches !== file.patches || countryPatches !== file.patches) {
    throw new Error(`${path}: products count ${productPatches} and countries ${countryPatches} patches, the table says ${file.patches}`)
  }
  return { patches: file.patches, grid: file.grid, splits: file.splits, months: new Map(Object.entries(file.months)), countries, products }
}

/** Validates a parsed statistics table; the error names where it came from and the problem. */
export function parseDemoStatistics(raw: unknown, path: string): DemoStatistics {
  const parsed = StatisticsFile.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(`${path} is not a demo statistics table: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`)
  }
  return convert(parsed.data, path)
}

/** Reads and validates a statistics table file (e.g. one refitted with build/fit-demo-statistics.mjs). */
export function loadDemoStatistics(path: string): DemoStatistics {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new Error(`cannot read the demo statistics table ${path} (${(e as Error).message}); run node build/fit-demo-statistics.mjs`)
  }
  return parseDemoStatistics(raw, path)
}

let shared: DemoStatistics | undefined

/** The shipped table, loaded once. */
export function demoStatistics(): DemoStatistics {
  // Bundled with the code (no file to find at run time in a packaged app).
  shared ??= parseDemoStatistics(shippedTable, 'resources/demo/statistics.json')
  return shared
}
