import { Command, CommanderError, Option } from 'commander'
import cliProgress from 'cli-progress'
import { Catalog } from '../catalog/catalog'
import { importReben } from '../ingest/reben'
import { importV1 } from '../ingest/bigearthnetV1'
import { importV2 } from '../ingest/bigearthnetV2'
import { readPatchImage } from '../ingest/geotiff'
import type { ImportOptions, ImportProgress, ImportResult } from '../ingest/importRun'
import { SearchEngine } from '../search/engine'

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** True when stderr is a terminal: then imports draw a progress bar. */
  isTTY: boolean
}

const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: Boolean(process.stderr.isTTY),
}

function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--'
  const s = Math.round(seconds)
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`
}

/** Runs an import with a terminal progress bar and Ctrl-C cancelling it (the catalog stays as it was). */
async function withProgress(io: CliIo, run: (options: ImportOptions) => Promise<ImportResult>): Promise<ImportResult> {
  const controller = new AbortController()
  const onSigint = (): void => controller.abort()
  process.once('SIGINT', onSigint)
  let bar: cliProgress.SingleBar | null = null
  let phase = ''
  const onProgress = (p: ImportProgress): void => {
    if (!io.isTTY) return
    if (p.phase !== phase) {
      bar?.stop()
      phase = p.phase
      bar = new cliProgress.SingleBar(
        {
          format: `${p.phase.padEnd(14)} {bar} {percentage}% | {value}/{total} | {rate}/s | ETA {etaText}`,
          stream: process.stderr,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
      bar.start(Math.max(p.total, 1), 0, { rate: 0, etaText: '--' })
    }
    bar?.update(p.done, { rate: Math.round(p.ratePerSecond), etaText: formatEta(p.etaSeconds) })
  }
  try {
    return await run({ signal: controller.signal, onProgress })
  } finally {
    ;(bar as cliProgress.SingleBar | null)?.stop()
    process.removeListener('SIGINT', onSigint)
  }
}

function reportImport(io: CliIo, db: string, r: ImportResult): void {
  io.stdout(`imported ${r.imported} patches into "${r.archive}" of ${db} in ${r.seconds.toFixed(1)} s\n`)
}

function parseJsonOption(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new Error(`${what} is not valid JSON: ${(e as Error).message}`)
  }
}

/** Builds the `earthqube` command line program. */
export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command()
  program
    .name('earthqube')
    .description('EarthQube Desktop: an offline search engine for Sentinel-2 patches (BigEarthNet)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()

  const dbOption = (): Option => new Option('--db <file>', 'catalog file (SQLite)').makeOptionMandatory()

  const imp = program.command('import').description('import an archive into a catalog (one transaction: all or nothing)')
  imp
    .command('reben')
    .description('BigEarthNet v2 (reBEN) metadata Parquet files: footprints from each patch_id')
    .argument('<parquet...>', 'reBEN metadata .parquet file(s)')
    .addOption(dbOption())
    .action(async (files: string[], opts: { db: string }) => {
      const catalog = Catalog.open(opts.db)
      try {
        reportImport(io, opts.db, await withProgress(io, (o) => importReben(catalog, files, o)))
      } finally {
        catalog.close()
      }
    })
  imp
    .command('v1')
    .description('BigEarthNet v1.0 patch folders (43-class labels, GeoTIFF bands)')
    .argument('<folder>', 'a patch folder or a folder of patch folders')
    .addOption(dbOption())
    .action(async (folder: string, opts: { db: string }) => {
      const catalog = Catalog.open(opts.db)
      try {
        reportImport(io, opts.db, await withProgress(io, (o) => importV1(catalog, folder, o)))
      } finally {
        catalog.close()
      }
    })
  imp
    .command('v2')
    .description('BigEarthNet v2 patch folders (BigEarthNet-S2/<product>/<patch>/…_B??.tif)')
    .argument('<folder>', 'the BigEarthNet-S2 folder, a product folder or a patch folder')
    .option('--metadata <parquet...>', 'reBEN metadata Parquet file(s) with the labels of these patches')
    .addOption(dbOption())
    .action(async (folder: string, opts: { db: string; metadata?: string[] }) => {
      const catalog = Catalog.open(opts.db)
      try {
        const metadata = opts.metadata
        reportImport(io, opts.db, await withProgress(io, (o) => importV2(catalog, folder, { ...o, ...(metadata ? { metadata } : {}) })))
      } finally {
        catalog.close()
      }
    })

  program
    .command('query')
    .description('run a search query and print the result as JSON')
    .addOption(dbOption())
    .option('--json <query>', 'the query, e.g. \'{"countries":["Austria"],"labels":{"operator":"some","labels":["31"]}}\'', '{}')
    .option('--explain', 'also print how the area prefilter ran (plan, candidates, milliseconds)')
    .action((opts: { db: string; json: string; explain?: boolean }) => {
      const query = parseJsonOption(opts.json, '--json')
      const catalog = Catalog.open(opts.db, { mustExist: true })
      try {
        const engine = new SearchEngine(catalog.db)
        const t0 = performance.now()
        const { plan, candidates, ...result } = engine.explain(query)
        const out = opts.explain ? { ...result, explain: { plan, candidates, ms: performance.now() - t0 } } : result
        io.stdout(`${JSON.stringify(out, null, 2)}\n`)
      } finally {
        catalog.close()
      }
    })

  program
    .command('inspect')
    .description('read and validate one GeoTIFF or patch folder (a query-by-example input); print its bands as JSON')
    .argument('<path>', 'a BigEarthNet patch folder or one multi-band GeoTIFF (e.g. EuroSAT)')
    .action(async (path: string) => {
      const image = await readPatchImage(path)
      const bands = image.bandNames.map((name) => {
        const b = image.bands.get(name)!
        let min = Infinity, max = -Infinity, sum = 0
        for (let i = 0; i < b.data.length; i++) {
          const v = Number(b.data[i])
          if (v < min) min = v
          if (v > max) max = v
          sum += v
        }
        return { band: name, width: b.width, height: b.height, resolutionMeters: b.resolution, min, max, mean: sum / b.data.length }
      })
      io.stdout(`${JSON.stringify({ kind: image.kind, name: image.name, path: image.path, utm: image.utm, footprint: { type: 'Polygon', coordinates: [image.footprint] }, bands }, null, 2)}\n`)
    })

  program
    .command('stats')
    .description('summarise a catalog as JSON')
    .addOption(dbOption())
    .action((opts: { db: string }) => {
      const catalog = Catalog.open(opts.db, { mustExist: true })
      try {
        io.stdout(`${JSON.stringify(catalog.stats(), null, 2)}\n`)
      } finally {
        catalog.close()
      }
    })

  return program
}

/** Runs the CLI; returns the exit code. Failures print one line on stderr. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io)
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed its message; help and version exit cleanly.
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.help' ? 0 : e.exitCode || 1
    }
    const message = (e as Error).message ?? String(e)
    io.stderr(`earthqube: ${message.split('\n')[0]}\n`)
    return 1
  }
}
