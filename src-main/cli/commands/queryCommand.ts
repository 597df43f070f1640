import type { Command } from 'commander'
import { Workspace } from '../../service/workspace'
import type { CliContext } from '../io'
import { dbOption, parseJsonOption } from '../options'

/** `earthqube query`: one search, printed as JSON (optionally with how the area prefilter ran). */
export function registerQueryCommand(program: Command, ctx: CliContext): void {
  program
    .command('query')
    .description('run a search query and print the result as JSON')
    .addOption(dbOption())
    .option('--json <query>', 'the query, e.g. \'{"countries":["Austria"],"labels":{"operator":"some","labels":["31"]}}\'', '{}')
    .option('--explain', 'also print how the area prefilter ran (plan, candidates, milliseconds)')
    .action(async (opts: { db: string; json: string; explain?: boolean }) => {
      const query = parseJsonOption(opts.json, '--json')
      const workspace = Workspace.open(opts.db, ctx.models)
      try {
        const t0 = performance.now()
        const { plan, candidates, ...result } = workspace.engine.explain(query)
        const out = opts.explain ? { ...result, explain: { plan, candidates, ms: performance.now() - t0 } } : result
        ctx.io.stdout(`${JSON.stringify(out, null, 2)}\n`)
      } finally {
        await workspace.close()
      }
    })
}
