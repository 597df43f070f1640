import type { Command } from 'commander'
import { Catalog } from '../../catalog/catalog'
import { indexCodes, indexSummary, NO_PIXELS_NOTE } from '../../service/dataJobs'
import type { CliContext } from '../io'
import { dbOption, parseCount } from '../options'
import { withProgress } from '../progressBar'

/** `earthqube index`: hash codes for every patch with pixels (resumable). */
export function registerIndexCommand(program: Command, ctx: CliContext): void {
  const { io } = ctx
  program
    .command('index')
    .description('compute and store hash codes for every patch with pixels (resumable; Ctrl-C keeps what is done)')
    .addOption(dbOption())
    .option('--model <id or path>', 'hash model: an id in the models folders or a model folder (default milan-demo-128)')
    .option('--workers <n>', 'model runners in worker threads (default 2)')
    .option('--replace', 'the catalog holds codes of this model id made by another model file (a retrained model): recompute them all')
    .action(async (opts: { db: string; model?: string; workers?: string; replace?: boolean }) => {
      // Resolve the model and check the options before opening (or creating) anything.
      ctx.models.resolve(opts.model)
      const workers = opts.workers === undefined ? undefined : parseCount(opts.workers, '--workers')
      if (workers !== undefined && (workers < 1 || workers > 16)) throw new Error(`--workers must be from 1 to 16, not ${workers}`)
      const catalog = Catalog.open(opts.db, { mustExist: true })
      try {
        const request = { ...(opts.model ? { model: opts.model } : {}), ...(workers !== undefined ? { workers } : {}), ...(opts.replace ? { replace: true } : {}) }
        const result = await withProgress(io, (controls) => indexCodes(catalog, ctx.models, request, controls))
        io.stdout(`${indexSummary(result)}\n`)
        for (const f of result.failures.slice(0, 5)) io.stderr(`  failed: ${JSON.stringify(f)}\n`)
        if (result.total === 0) io.stderr(`note: ${NO_PIXELS_NOTE}\n`)
      } finally {
        catalog.close()
      }
    })
}
