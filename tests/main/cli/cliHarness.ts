import { runCli } from '../../../src-main/cli/program'
import { testModels } from '../../support'

/** Runs the CLI in-process, as `earthqube <argv>` would, with the shipped models; returns its exit code and output. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(argv, { io: { stdout: (t) => (out += t), stderr: (t) => (err += t), isTTY: false }, models: testModels() })
  return { code, out, err }
}
