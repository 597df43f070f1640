/**
 * npm run bench:inference — the default model (resources/models/milan-demo-128) at work:
 *   - one upload → code: readExample (read + checks) and Encoder.encode for the real EuroSAT GeoTIFF and
 *     the real BigEarthNet v2 patch folder in ../shared/data, p50/p95 over repeated runs (target ≤ 100 ms);
 *   - indexing throughput of indexArchive with 2 workers (target ≥ 150 patches/s) for (i) a demo catalog
 *     (importDemo, pixels regenerated from demo:// through pixelSources.resolvePixels in the calling
 *     thread, the network in the workers) and (ii) real GeoTIFF folders (exportDemo → importV2; each
 *     worker reads and decodes its folders itself).
 * Prints a table and records it in docs/benchmarks.md. Flags: --quick (smaller sets, not recorded); --model <folder>
 * (another model, not recorded).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Catalog } from '../src-main/catalog/catalog'
import { exportDemo } from '../src-main/demo/export'
import { importDemo } from '../src-main/demo/importDemo'
import { importV2 } from '../src-main/ingest/bigearthnetV2'
import { Encoder } from '../src-main/inference/encoder'
import { indexArchive } from '../src-main/inference/indexArchive'
import { resolvePixels } from '../src-main/pixels/pixelSources'
import { readExample } from '../src-main/inference/validate'
import { machineLine, percentile, recordBenchmark, table } from './report'

const modelArg = process.argv.indexOf('--model')
const MODEL = modelArg > 0 ? process.argv[modelArg + 1]! : fileURLToPath(new URL('../resources/models/milan-demo-128', import.meta.url))
const SHARED = fileURLToPath(new URL('../../shared/data', import.meta.url))
const quick = process.argv.includes('--quick')
const SEED = 42
const DEMO_N = quick ? 1_000 : 5_000
const FOLDERS_N = quick ? 300 : 1_000
const REPEATS = quick ? 10 : 50
const WORKERS = 2

const UPLOADS = [
  { label: 'EuroSAT GeoTIFF (13 bands, 64×64)', path: join(SHARED, 'eurosat', 'AnnualCrop_1.tif') },
  {
    label: 'BigEarthNet v2 patch folder (12 files)',
    path: join(SHARED, 'bigearthnet', 'BigEarthNet-S2', 'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP', 'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_75_43'),
  },
]

function ms(x: number): string {
  return x.toFixed(1)
}

/** Upload → code latencies: read + checks, encode, total; the first (cold) run is reported apart. */
async function uploadLatency(encoder: Encoder, path: string): Promise<{ read: number[]; encode: number[]; total: number[]; cold: number }> {
  const read: number[] = []
  const encode: number[] = []
  const total: number[] = []
  let cold = NaN
  for (let i = 0; i <= REPEATS; i++) {
    const t0 = performance.now()
    const image = await readExample(path, encoder.model.card)
    const t1 = performance.now()
    await encoder.encode([image])
    const t2 = performance.now()
    if (i === 0) {
      cold = t2 - t0
      continue
    }
    read.push(t1 - t0)
    encode.push(t2 - t1)
    total.push(t2 - t0)
  }
  return { read, encode, total, cold }
}

/** Indexes every patch of `catalog` with the default model; patches per second of the whole run. */
async function indexRate(catalog: Catalog, withPixelSource: boolean): Promise<{ n: number; seconds: number; failed: number }> {
  const r = await indexArchive(catalog, MODEL, { workers: WORKERS, ...(withPixelSource ? { pixelSource: resolvePixels } : {}) })
  if (r.stored === 0) throw new Error('indexing stored no codes')
  return { n: r.stored, seconds: r.seconds, failed: r.failedCount }
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-inference-'))
  try {
    const encoder = await Encoder.open(MODEL)
    const rows: string[][] = []
    for (const u of UPLOADS) {
      let l: Awaited<ReturnType<typeof uploadLatency>>
      try {
        l = await uploadLatency(encoder, u.path)
      } catch (e) {
        rows.push([`upload → code: ${u.label}`, `skipped: ${e instanceof Error ? e.message : String(e)}`, '', '', ''])
        continue
      }
      const p50 = percentile(l.total, 50)
      const p95 = percentile(l.total, 95)
      rows.push([
        `upload → code: ${u.label}`,
        `p50 ${ms(p50)} ms, p95 ${ms(p95)} ms (read ${ms(percentile(l.read, 50))} + encode ${ms(percentile(l.encode, 50))}; first run ${ms(l.cold)} ms)`,
        '≤ 100 ms',
        p95 <= 100 ? 'met' : 'NOT met',
        `${REPEATS} runs`,
      ])
    }
    await encoder.close()

    // (i) Demo catalog: pixels regenerated from demo:// addresses.
    const demoCatalog = Catalog.open(join(tmp, 'demo.sqlite'))
    await importDemo(demoCatalog, { seed: SEED, n: DEMO_N })
    const demo = await indexRate(demoCatalog, true)
    demoCatalog.close()
    const demoRate = demo.n / demo.seconds
    rows.push([
      `index a demo catalog (demo://, ${WORKERS} workers)`,
      `${demoRate.toFixed(0)} patches/s (${demo.n.toLocaleString('en')} in ${demo.seconds.toFixed(1)} s${demo.failed ? `, ${demo.failed} failed` : ''})`,
      '≥ 150 patches/s',
      demoRate >= 150 ? 'met' : 'NOT met',
      'generate + preprocess in the calling thread',
    ])

    // (ii) Real GeoTIFF folders: an export of the demo archive, imported like reBEN.
    const exportDir = join(tmp, 'export')
    const te = performance.now()
    await exportDemo(SEED, FOLDERS_N, exportDir)
    const exportS = (performance.now() - te) / 1000
    const folderCatalog = Catalog.open(join(tmp, 'folders.sqlite'))
    const ti = performance.now()
    await importV2(folderCatalog, join(exportDir, 'BigEarthNet-S2'), { metadata: [join(exportDir, 'metadata.parquet')] })
    const importS = (performance.now() - ti) / 1000
    const folders = await indexRate(folderCatalog, false)
    folderCatalog.close()
    const folderRate = folders.n / folders.seconds
    rows.push([
      `index GeoTIFF folders (12 files each, ${WORKERS} workers)`,
      `${folderRate.toFixed(0)} patches/s (${folders.n.toLocaleString('en')} in ${folders.seconds.toFixed(1)} s${folders.failed ? `, ${folders.failed} failed` : ''})`,
      '≥ 150 patches/s',
      folderRate >= 150 ? 'met' : 'NOT met',
      `each worker reads its folders; export took ${exportS.toFixed(1)} s, importV2 ${importS.toFixed(1)} s`,
    ])

    const text = [
      `Default model \`milan-demo-128\` (onnxruntime-node, 1 thread per runner). Upload: \`readExample\` + \`Encoder.encode\` in one thread, warm (after one cold run). ` +
        `Indexing: \`indexArchive\` with ${WORKERS} worker threads, batches of 64, codes stored in a fresh catalog; the demo catalog has ${DEMO_N.toLocaleString('en')} patches, ` +
        `the folders are ${FOLDERS_N.toLocaleString('en')} demo patches exported by \`exportDemo\` and imported by \`importV2\`.`,
      '',
      table(['what', 'result', 'target', '', 'notes'], rows),
      '',
      machineLine(),
    ].join('\n')
    process.stdout.write(`${text}\n`)
    if (quick || modelArg > 0) process.stdout.write('(--quick or --model: not recorded)\n')
    else recordBenchmark('inference', 'Inference (`npm run bench:inference`)', text)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:inference: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
  process.exit(1)
})
