import type { Command } from 'commander'
import { Catalog } from '../../catalog/catalog'
import { codesByName } from '../../catalog/codes'
import { codeToHex } from '../../hashcode/hashCode'
import { inspectImage } from '../../service/inspect'
import { modelSummaries } from '../../service/models'
import { resolveHashModel } from '../../similarity/similarityService'
import type { CliContext } from '../io'
import { dbOption } from '../options'

/** `earthqube models`: the hash models available, as JSON. */
export function registerModelsCommand(program: Command, ctx: CliContext): void {
  program
    .command('models')
    .description('list the hash models the app can use (shipped and in the user models folder), as JSON')
    .action(() => {
      ctx.io.stdout(`${JSON.stringify(modelSummaries(ctx.models), null, 2)}\n`)
    })
}

/** `earthqube codes`: every patch's hash code as a `name<TAB>hex` line. */
export function registerCodesCommand(program: Command, ctx: CliContext): void {
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
            ctx.io.stdout(chunk)
            chunk = ''
          }
        }
        ctx.io.stdout(chunk)
      } finally {
        catalog.close()
      }
    })
}

/** `earthqube inspect`: read and validate one GeoTIFF or patch folder. */
export function registerInspectCommand(program: Command, ctx: CliContext): void {
  program
    .command('inspect')
    .description('read and validate one GeoTIFF or patch folder (a query-by-example input); print its bands as JSON')
    .argument('<path>', 'a BigEarthNet patch folder or one multi-band GeoTIFF (e.g. EuroSAT)')
    .action(async (path: string) => {
      ctx.io.stdout(`${JSON.stringify(await inspectImage(path), null, 2)}\n`)
    })
}

/** `earthqube stats`: what a catalog holds, as JSON. */
export function registerStatsCommand(program: Command, ctx: CliContext): void {
  program
    .command('stats')
    .description('summarise a catalog as JSON')
    .addOption(dbOption())
    .action((opts: { db: string }) => {
      const catalog = Catalog.open(opts.db, { mustExist: true })
      try {
        ctx.io.stdout(`${JSON.stringify(catalog.stats(), null, 2)}\n`)
      } finally {
        catalog.close()
      }
    })
}
