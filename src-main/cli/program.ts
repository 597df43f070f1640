import { Command, CommanderError } from 'commander'
import { registerCodesCommand, registerInspectCommand, registerModelsCommand, registerStatsCommand } from './commands/catalogCommands'
import { registerDemoCommand } from './commands/demoCommand'
import { registerImportCommand } from './commands/importCommand'
import { registerIndexCommand } from './commands/indexCommand'
import { registerQueryCommand } from './commands/queryCommand'
import { registerSimilarCommand } from './commands/similarCommand'
import type { CliContext } from './io'

/** Builds the `earthqube` command line program: one module per command, each a thin adapter over the service. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command()
  program
    .name('earthqube')
    .description('EarthQube Desktop: an offline search engine for Sentinel-2 patches (BigEarthNet)')
    .configureOutput({ writeOut: ctx.io.stdout, writeErr: ctx.io.stderr })
    .exitOverride()
    // `demo --n` and `demo export --n` are different options: each belongs to the command it follows.
    .enablePositionalOptions()
  registerImportCommand(program, ctx)
  registerDemoCommand(program, ctx)
  registerQueryCommand(program, ctx)
  registerSimilarCommand(program, ctx)
  registerIndexCommand(program, ctx)
  registerModelsCommand(program, ctx)
  registerCodesCommand(program, ctx)
  registerInspectCommand(program, ctx)
  registerStatsCommand(program, ctx)
  return program
}

/** Runs the CLI; returns the exit code. Failures print one line on stderr. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx)
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed its message; help and version exit cleanly.
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.help' ? 0 : e.exitCode || 1
    }
    const message = (e as Error).message ?? String(e)
    ctx.io.stderr(`earthqube: ${message.split('\n')[0]}\n`)
    return 1
  }
}
