import type { Command } from 'commander'
import { Workspace } from '../../service/workspace'
import type { SimilarMode } from '../../similarity/similarityService'
import type { CliContext } from '../io'
import { dbOption, parseCount, parseJsonOption } from '../options'

/** `earthqube similar`: query by example, by an archive patch or a GeoTIFF, printed as JSON. */
export function registerSimilarCommand(program: Command, ctx: CliContext): void {
  const { io } = ctx
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
      const workspace = Workspace.open(opts.db, ctx.models)
      const options = { ...(opts.model ? { model: opts.model } : {}), ...(filter === undefined ? {} : { filter }) }
      try {
        const { similarity } = workspace
        const result = opts.file !== undefined ? await similarity.similarToFile(opts.file, mode, options) : await similarity.similarTo(opts.name!, mode, options)
        for (const w of result.warnings ?? []) io.stderr(`earthqube: note: ${w}\n`)
        io.stdout(`${JSON.stringify(result, null, 2)}\n`)
      } finally {
        await workspace.close()
      }
    })
}
