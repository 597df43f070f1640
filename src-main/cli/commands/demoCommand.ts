import type { Command } from 'commander'
import { DEMO_DEFAULT_N, DEMO_DEFAULT_SEED } from '../../demo/archive'
import { exportDemo } from '../../demo/export'
import type { CliContext } from '../io'
import { parseCount } from '../options'
import { withProgress } from '../progressBar'
import { importInto } from './importCommand'

/** `earthqube demo` and `demo export`: the simulated demo archive, in a catalog or as GeoTIFF folders. */
export function registerDemoCommand(program: Command, ctx: CliContext): void {
  const { io } = ctx
  const demo = program
    .command('demo')
    .description(`build the embedded demo archive (SIMULATED imagery, BigEarthNet-like) in a catalog`)
    .option('--n <patches>', `number of patches, 1–549488 (default ${DEMO_DEFAULT_N})`)
    .option('--seed <seed>', `generator seed (default ${DEMO_DEFAULT_SEED})`)
    .option('--db <file>', 'catalog file (SQLite)')
    .action(async (opts: { n?: string; seed?: string; db?: string }) => {
      if (!opts.db) throw new Error("demo: required option '--db <file>' not specified (or use `demo export --out <dir>`)")
      const n = parseCount(opts.n ?? String(DEMO_DEFAULT_N), '--n')
      const seed = parseCount(opts.seed ?? String(DEMO_DEFAULT_SEED), '--seed')
      await importInto(ctx, opts.db, { kind: 'import-demo', n, seed })
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
      const r = await withProgress(io, (controls) => exportDemo(seed, n, opts.out, controls))
      io.stdout(`wrote ${r.patches} simulated patches to ${r.root} (metadata: ${opts.out}/metadata.parquet) in ${r.seconds.toFixed(1)} s\n`)
    })
}
