/**
 * npx tsx bench/demo.bench.ts [--no-record] — times the simulated demo archive: metadata (demoPatch),
 * pixels (demoPixels: all 12 bands of a patch), building the demo catalog (importDemo, 50,000 patches)
 * and exporting BigEarthNet v2 folders (exportDemo, GeoTIFFs + metadata.parquet). Prints a table and
 * records it in docs/benchmarks.md (unless --no-record).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Catalog } from '../src-main/catalog/catalog'
import { DEMO_DEFAULT_N, demoPatch } from '../src-main/demo/archive'
import { exportDemo } from '../src-main/demo/export'
import { importDemo } from '../src-main/demo/importDemo'
import { demoPixels } from '../src-main/demo/pixels'
import { machineLine, percentile, recordBenchmark, table } from './report'

const PIXEL_PATCHES = 3000
const EXPORT_PATCHES = 500

function cpuMs(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start)
  return (u.user + u.system) / 1000
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'eq-demo-bench-'))
  try {
    // Metadata.
    let t = performance.now()
    for (let i = 0; i < DEMO_DEFAULT_N; i++) demoPatch(42, i, DEMO_DEFAULT_N)
    const metadataPerSecond = DEMO_DEFAULT_N / ((performance.now() - t) / 1000)

    // Pixels: warm up, then time each patch.
    for (let i = 0; i < 200; i++) demoPixels(42, 100_000 + i)
    const times: number[] = []
    const cpu = process.cpuUsage()
    t = performance.now()
    for (let i = 0; i < PIXEL_PATCHES; i++) {
      const t0 = performance.now()
      demoPixels(42, i)
      times.push(performance.now() - t0)
    }
    const pixelWall = performance.now() - t
    const pixelCpu = cpuMs(cpu)

    // Demo catalog (metadata only, pixels regenerated on demand).
    const catalog = Catalog.open(join(dir, 'demo.db'))
    t = performance.now()
    await importDemo(catalog, { seed: 42, n: DEMO_DEFAULT_N })
    const importSeconds = (performance.now() - t) / 1000
    catalog.close()

    // Export as BigEarthNet v2 folders.
    t = performance.now()
    await exportDemo(42, EXPORT_PATCHES, join(dir, 'export'))
    const exportSeconds = (performance.now() - t) / 1000

    const p50 = percentile(times, 50)
    const p95 = percentile(times, 95)
    const rows: (string | number)[][] = [
      ['demoPatch (metadata)', `${(1000 / metadataPerSecond).toFixed(4)} ms`, `${metadataPerSecond.toFixed(0)}`, '', ''],
      [
        `demoPixels (12 bands), ${PIXEL_PATCHES} patches`,
        `p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, CPU ${(pixelCpu / PIXEL_PATCHES).toFixed(2)} ms`,
        `${(PIXEL_PATCHES / (pixelWall / 1000)).toFixed(0)}`,
        '≲ 2 ms per patch',
        p50 <= 2 ? 'yes' : 'NO',
      ],
      [`importDemo, ${DEMO_DEFAULT_N.toLocaleString('en')} patches`, `${importSeconds.toFixed(1)} s`, `${(DEMO_DEFAULT_N / importSeconds).toFixed(0)}`, '', ''],
      [`exportDemo, ${EXPORT_PATCHES} patches (12 GeoTIFFs each)`, `${((exportSeconds * 1000) / EXPORT_PATCHES).toFixed(2)} ms per patch`, `${(EXPORT_PATCHES / exportSeconds).toFixed(0)}`, '', ''],
    ]
    const text = `${machineLine()}\n\nSimulated imagery, seed 42, one thread.\n\n${table(['step', 'time', 'patches/s', 'target', 'met'], rows)}\n`
    console.log(text)
    if (!process.argv.includes('--no-record')) recordBenchmark('demo', 'Demo archive (`npm run bench:demo`)', text)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
