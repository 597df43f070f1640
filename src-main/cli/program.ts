import { Command, CommanderError, Option } from 'commander'
import cliProgress from 'cli-progress'
import { Catalog } from '../catalog/catalog'
import { importReben } from '../ingest/reben'
import { importV1 } from '../ingest/bigearthnetV1'
import { importV2 } from '../ingest/bigearthnetV2'
import { readPatchImage } from '../ingest/geotiff'
import { importDemo } from '../demo/importDemo'
import { exportDemo } from '../demo/export'
import { DEMO_DEFAULT_N, DEMO_DEFAULT_SEED } from '../demo/archive'
import { indexArchive } from '../inference/indexArchive'
import { resolvePixels } from '../inference/pixelSources'
import { availableModels, resolveModel } from '../inference/modelRegistry'
import type { ImportOptions, ImportProgress, ImportResult } from '../ingest/importRun'
import { SearchEngine } from '../search/engine'
import { SimilarityService, resolveHashModel } from '../search/similar'
import type { SimilarMode } from '../search/similar'
import { codeToHex, codesByName } from '../catalog/codes'

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

/** Opens the catalog, runs one import with progress and Ctrl-C, reports it, and closes the catalog. */
async function importInto(
  io: CliIo,
  db: string,
  run: (catalog: Catalog, options: ImportOptions) => Promise<ImportResult>,
): Promise<void> {
  const catalog = Catalog.open(db)
  try {
    reportImport(io, db, await withProgress(io, (o) => run(catalog, o)))
  } finally {
    catalog.close()
  }
}

function parseCount(text: string, what: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new Error(`${what} must be a whole number, not ${JSON.stringify(text)}`)
  return Number(text)
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
    // `demo --n` and `demo export --n` are different options: each belongs to the command it follows.
    .enablePositionalOptions()

  const dbOption = (): Option => new Option('--db <file>', 'catalog file (SQLite)').makeOptionMandatory()

  const imp = program.command('import').description('import an archive into a catalog (one transaction: all or nothing)')
  imp
    .command('reben')
    .description('BigEarthNet v2 (reBEN) metadata Parquet files: footprints from each patch_id')
    .argument('<parquet...>', 'reBEN metadata .parquet file(s)')
    .addOption(dbOption())
    .action((files: string[], opts: { db: string }) => importInto(io, opts.db, (catalog, o) => importReben(catalog, files, o)))
  imp
    .command('v1')
    .description('BigEarthNet v1.0 patch folders (43-class labels, GeoTIFF bands)')
    .argument('<folder>', 'a patch folder or a folder of patch folders')
    .addOption(dbOption())
    .action((folder: string, opts: { db: string }) => importInto(io, opts.db, (catalog, o) => importV1(catalog, folder, o)))
  imp
    .command('v2')
    .description('BigEarthNet v2 patch folders (BigEarthNet-S2/<product>/<patch>/…_B??.tif)')
    .argument('<folder>', 'the BigEarthNet-S2 folder, a product folder or a patch folder')
    .option('--metadata <parquet...>', 'reBEN metadata Parquet file(s) with the labels of these patches')
    .addOption(dbOption())
    .action((folder: string, opts: { db: string; metadata?: string[] }) =>
      importInto(io, opts.db, (catalog, o) => importV2(catalog, folder, { ...o, ...(opts.metadata ? { metadata: opts.metadata } : {}) })),
    )

  const demo = program
    .command('demo')
    .description(`build the embedded demo archive (SIMULATED imagery, BigEarthNet-like) in a catalog`)
    .option('--n <patches>', `number of patches, 1–549488 (default ${DEMO_DEFAULT_N})`)
    .option('--seed <seed>', `generator seed (default ${DEMO_DEFAULT_SEED})`)
    .option('--db <file>', 'catalog file (SQLite)')
    .action(async (opts: { n?: string; seed?: string; db?: string }) => {
      if (!opts.db) throw new Error("demo: required option '--db <file>' not specified (or use `demo export --out <dir>`)")
      const spec = { n: parseCount(opts.n ?? String(DEMO_DEFAULT_N), '--n'), seed: parseCount(opts.seed ?? String(DEMO_DEFAULT_SEED), '--seed') }
      await importInto(io, opts.db, (catalog, o) => importDemo(catalog, spec, o))
      io.stdout('the demo archive is simulated imagery, not real Sentinel-2 data\n')
    })
  demo
    .command('export')
    .description('write the demo archive (SIMULATED) as BigEarthNet v2 folders of GeoTIFFs plus metadata.parquet')
    .requiredOption('--out <dir>', 'an empty or new folder')
    .option('--n <patches>', `number of patches, 1–549488 (default ${DEMO_DEFAULT_N})`)
    .option('--seed <seed>', `generator seed (default ${DEMO_DEFAULT_SEED})`)
    .action(async (opts: { out: string; n?: string; seed?: string }) => {
      const n = parseCount(opts.n ?? String(DEMO_DEFAULT_N), '--n')
      const seed = parseCount(opts.seed ?? String(DEMO_DEFAULT_SEED), '--seed')
      const r = await withProgress(io, (o) => exportDemo(seed, n, opts.out, o).then((x) => ({ kind: 'demo export', archive: x.root, imported: x.patches, seconds: x.seconds })))
      io.stdout(`wrote ${r.imported} simulated patches to ${r.archive} (metadata: ${opts.out}/metadata.parquet) in ${r.seconds.toFixed(1)} s\n`)
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
    .command('similar')
    .description('patches whose hash codes are nearest to a patch (--name) or to a GeoTIFF you bring (--file), as JSON')
    .addOption(dbOption())
    .option('--name <patch>', 'an archive patch to start from')
    .option('--file <tif or folder>', 'a new example: one multi-band GeoTIFF or a BigEarthNet patch folder')
    .option('--k <n>', 'the k nearest neighbours (default 10)')
    .option('--radius <r>', 'every patch within this Hamming distance instead')
    .option('--json <query>', 'restrict to the matches of a catalog query (same language as `query`)')
    .option('--model <id or path>', 'hash model (default: the catalog\'s only one; with --file: milan-demo-128)')
    .action(async (opts: { db: string; name?: string; file?: string; k?: string; radius?: string; json?: string; model?: string }) => {
      if ((opts.name === undefined) === (opts.file === undefined)) throw new Error('give --name <patch> or --file <tif or folder>, one of the two')
      if (opts.k !== undefined && opts.radius !== undefined) throw new Error('give --k or --radius, not both')
      const mode: SimilarMode = opts.radius !== undefined ? { radius: parseCount(opts.radius, '--radius') } : { k: parseCount(opts.k ?? '10', '--k') }
      const filter = opts.json === undefined ? undefined : parseJsonOption(opts.json, '--json')
      const catalog = Catalog.open(opts.db, { mustExist: true })
      const similar = new SimilarityService(catalog, new SearchEngine(catalog.db))
      const options = { ...(opts.model ? { model: opts.model } : {}), ...(filter === undefined ? {} : { filter }) }
      try {
        const result = opts.file !== undefined ? await similar.similarToFile(opts.file, mode, options) : await similar.similarTo(opts.name!, mode, options)
        for (const w of result.warnings ?? []) io.stderr(`earthqube: note: ${w}\n`)
        io.stdout(`${JSON.stringify(result, null, 2)}\n`)
      } finally {
        await similar.close()
        catalog.close()
      }
    })

  program
    .command('index')
    .description('compute and store hash codes for every patch with pixels (resumable; Ctrl-C keeps what is done)')
    .addOption(dbOption())
    .option('--model <id or path>', 'hash model: an id in the models folders or a model folder (default milan-demo-128)')
    .option('--workers <n>', 'model runners in worker threads (default 2)')
    .option('--replace', 'the catalog holds codes of this model id made by another model file (a retrained model): recompute them all')
    .action(async (opts: { db: string; model?: string; workers?: string; replace?: boolean }) => {
      const modelPath = resolveModel(opts.model)
      const workers = opts.workers === undefined ? 2 : parseCount(opts.workers, '--workers')
      if (workers < 1 || workers > 16) throw new Error(`--workers must be from 1 to 16, not ${workers}`)
      const catalog = Catalog.open(opts.db, { mustExist: true })
      try {
        // Simulated demo patches regenerate their pixels here; folders are read inside the workers.
        const hasDemo = catalog.db.prepare("SELECT 1 FROM patches WHERE pixels_path LIKE 'demo://%' LIMIT 1").get() !== undefined
        await withProgress(io, async (o) => {
          const result = await indexArchive(catalog, modelPath, {
            workers,
            ...(opts.replace ? { replace: true } : {}),
            ...(o.signal ? { signal: o.signal } : {}),
            ...(o.onProgress ? { onProgress: o.onProgress } : {}),
            ...(hasDemo ? { pixelSource: resolvePixels } : {}),
          })
          io.stdout(
            `model ${result.modelId} (${result.bits} bits): ${result.stored} codes stored, ${result.alreadyCoded} already there, ` +
              `${result.failedCount} failed, of ${result.total} patches with pixels, in ${result.seconds.toFixed(1)} s\n`,
          )
          for (const f of result.failures.slice(0, 5)) io.stderr(`  failed: ${JSON.stringify(f)}\n`)
          if (result.total === 0) {
            io.stderr('note: no patch in this catalog has pixels (reBEN metadata has none): import folders or build the demo archive\n')
          }
          return { kind: 'index', archive: result.modelId, imported: result.stored, seconds: result.seconds }
        })
      } finally {
        catalog.close()
      }
    })

  program
    .command('models')
    .description('list the hash models the app can use (shipped and in the user models folder), as JSON')
    .action(() => {
      const models = availableModels().map((m) => (m.card ? { id: m.id, dir: m.dir, bits: m.card.bits, name: m.card.name ?? null, metrics: m.card.metrics ?? null } : { dir: m.dir, error: m.error }))
      io.stdout(`${JSON.stringify(models, null, 2)}\n`)
    })

  program
    .command('codes')
    .description('print every patch\'s hash code: one "name<TAB>hex" line per patch, by name')
    .addOption(dbOption())
    .option('--model <id>', 'hash model (default: the catalog\'s only one)')
    .action((opts: { db: string; model?: string }) => {
      const catalog = Catalog.open(opts.db, { mustExist: true })
      try {
        const model = resolveHashModel(catalog, opts.model)
        let chunk = ''
        for (const [name, code] of codesByName(catalog.db, model)) {
          chunk += `${name}\t${codeToHex(code)}\n`
          if (chunk.length > 1 << 16) {
            io.stdout(chunk)
            chunk = ''
          }
        }
        io.stdout(chunk)
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
