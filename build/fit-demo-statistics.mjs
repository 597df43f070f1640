/**
 * Fits the statistics table the simulated demo archive is drawn from (src-main/demo/) and writes it to
 * resources/demo/statistics.json. Numbers only, no data: per country the patch count, snow/cloud counts and
 * the most frequent label sets (covering ≥ 99 % of its patches: frequencies and co-occurrences at once);
 * per Sentinel-2 product (tile, time, satellite, relative orbit) and country its patch count, snow/cloud
 * counts and which patch cells (X, Y) it covers; acquisitions per month; the split counts.
 *
 * Run once, from the repository root, with the reBEN metadata next to it:
 *   node build/fit-demo-statistics.mjs [../shared/data/bigearthnet]
 * The output is deterministic (no timestamps): rerunning on the same files writes the same bytes.
 */
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const DATA = resolve(process.argv[2] ?? join(ROOT, '..', 'shared', 'data', 'bigearthnet'))
const FILES = ['reben-metadata.parquet', 'reben-metadata-snow-cloud-shadow.parquet']
const OUT = join(ROOT, 'resources', 'demo', 'statistics.json')
/** Share of each country's patches its listed label sets must cover; the rarest 1 % are left out. */
const LABEL_SET_COVERAGE = 0.99
const PATCH_ID = /^(S2[AB])_MSIL2A_(\d{8}T\d{6})_N\d{4}_R(\d{3})_T(\d{2}[A-Z]{3})_(\d{1,3})_(\d{1,3})$/

const labels = JSON.parse(readFileSync(join(ROOT, 'resources', 'clc-nomenclature.json'), 'utf8')).nomenclatures.ben19.labels
const bitOf = new Map(labels.map((name, i) => [name, i]))

/** Reads every row of one reBEN metadata file (the columns the table needs). */
async function readRows(path) {
  const file = await asyncBufferFromFile(path)
  const columns = ['patch_id', 'labels', 'split', 'country', 'contains_seasonal_snow', 'contains_cloud_or_shadow']
  return parquetReadObjects({ file, columns, compressors })
}

/** Run lengths of a 0/1 cell grid in row-major order, alternating absent/present, starting with absent. */
function runLengths(cells) {
  const runs = []
  let value = 0
  let length = 0
  for (const c of cells) {
    if (c === value) length++
    else {
      runs.push(length)
      value = c
      length = 1
    }
  }
  if (value === 1) runs.push(length)
  return runs
}

const countries = new Map()
const products = new Map()
const months = new Map()
const splits = new Map()
let total = 0
let gridMax = 0
const parsedRows = []
for (const name of FILES) {
  const path = join(DATA, name)
  let rows
  try {
    rows = await readRows(path)
  } catch (e) {
    console.error(`cannot read ${path}: ${e.message}`)
    process.exit(1)
  }
  for (const row of rows) {
    const m = PATCH_ID.exec(row.patch_id)
    if (!m) throw new Error(`${name}: patch_id ${row.patch_id} does not parse`)
    const [, satellite, datetime, orbit, tile, x, y] = m
    gridMax = Math.max(gridMax, Number(x), Number(y))
    let mask = 0
    for (const label of row.labels) {
      const bit = bitOf.get(label)
      if (bit === undefined) throw new Error(`${name}: patch ${row.patch_id} has unknown label "${label}"`)
      mask |= 1 << bit
    }
    parsedRows.push({ satellite, datetime, orbit: Number(orbit), tile, x: Number(x), y: Number(y), mask, row })
  }
}

const grid = gridMax + 1
for (const { satellite, datetime, orbit, tile, x, y, mask, row } of parsedRows) {
  total++
  const snow = row.contains_seasonal_snow === true ? 1 : 0
  const cloud = row.contains_cloud_or_shadow === true ? 1 : 0
  const c = countries.get(row.country) ?? { name: row.country, patches: 0, snow: 0, cloud: 0, sets: new Map() }
  c.patches++
  c.snow += snow
  c.cloud += cloud
  c.sets.set(mask, (c.sets.get(mask) ?? 0) + 1)
  countries.set(row.country, c)
  const key = `${satellite}_${datetime}_${orbit}_${tile}|${row.country}`
  const p = products.get(key) ?? { satellite, datetime, orbit, tile, country: row.country, patches: 0, snow: 0, cloud: 0, cells: new Uint8Array(grid * grid) }
  p.patches++
  p.snow += snow
  p.cloud += cloud
  p.cells[y * grid + x] = 1
  products.set(key, p)
  const month = `${datetime.slice(0, 4)}-${datetime.slice(4, 6)}`
  months.set(month, (months.get(month) ?? 0) + 1)
  splits.set(row.split, (splits.get(row.split) ?? 0) + 1)
}

const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0)
const countryTable = [...countries.values()]
  .sort((a, b) => byName(a.name, b.name))
  .map((c) => {
    const sets = [...c.sets.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])
    const kept = []
    let covered = 0
    for (const [mask, count] of sets) {
      if (covered >= LABEL_SET_COVERAGE * c.patches) break
      kept.push([mask, count])
      covered += count
    }
    return { name: c.name, patches: c.patches, snow: c.snow, cloud: c.cloud, labelSetsCovered: covered, labelSets: kept }
  })
const productTable = [...products.values()]
  .sort((a, b) => byName(a.country, b.country) || byName(a.datetime, b.datetime) || byName(a.tile, b.tile) || byName(a.satellite, b.satellite))
  .map((p) => {
    const cells = runLengths(p.cells)
    const present = cells.reduce((n, r, i) => (i % 2 === 1 ? n + r : n), 0)
    if (present !== p.patches) throw new Error(`product ${p.tile} ${p.datetime}: ${p.patches} patches on ${present} cells`)
    return { satellite: p.satellite, datetime: p.datetime, orbit: p.orbit, tile: p.tile, country: p.country, patches: p.patches, snow: p.snow, cloud: p.cloud, cells }
  })

const table = {
  description:
    'Statistics of BigEarthNet v2.0 (reBEN) the simulated EarthQube demo archive is drawn from: counts only, no patch data. ' +
    'Written by build/fit-demo-statistics.mjs from reben-metadata.parquet and reben-metadata-snow-cloud-shadow.parquet.',
  source: 'BigEarthNet v2.0 (reBEN) metadata, Clasen et al. 2025, CDLA-Permissive-1.0',
  patches: total,
  labels,
  labelSetEncoding: 'each label set is [mask, patches]; bit i of mask stands for labels[i]',
  labelSetCoverage: LABEL_SET_COVERAGE,
  grid,
  cellEncoding: `cells: run lengths over the ${grid}×${grid} patch grid of the tile, index Y·${grid} + X, alternating absent/present, starting with absent`,
  splits: Object.fromEntries([...splits.entries()].sort((a, b) => byName(a[0], b[0]))),
  months: Object.fromEntries([...months.entries()].sort((a, b) => byName(a[0], b[0]))),
  countries: countryTable,
  products: productTable,
}

// One country or product per line: small, and a diff shows what changed.
const lines = ['{']
const entries = Object.entries(table)
entries.forEach(([key, value], i) => {
  const comma = i < entries.length - 1 ? ',' : ''
  if (Array.isArray(value) && typeof value[0] === 'object') {
    lines.push(`  ${JSON.stringify(key)}: [`)
    value.forEach((v, j) => lines.push(`    ${JSON.stringify(v)}${j < value.length - 1 ? ',' : ''}`))
    lines.push(`  ]${comma}`)
  } else {
    lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value)}${comma}`)
  }
})
lines.push('}')
mkdirSync(dirname(OUT), { recursive: true })
writeFileSync(OUT, `${lines.join('\n')}\n`)
const sets = countryTable.reduce((n, c) => n + c.labelSets.length, 0)
console.log(`${OUT}: ${total} patches, ${countryTable.length} countries, ${productTable.length} product×country entries, ${sets} label sets, ${(lines.join('\n').length / 1024).toFixed(0)} KiB`)
