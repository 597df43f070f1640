import type { ModelRegistry } from '../inference/modelRegistry'

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** True when stderr is a terminal: then imports draw a progress bar. */
  isTTY: boolean
}

/** What every command gets: where to write and where the hash models are. */
export interface CliContext {
  io: CliIo
  models: ModelRegistry
}

/** The process's own stdout and stderr. */
export const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: Boolean(process.stderr.isTTY),
}
