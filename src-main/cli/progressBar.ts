import cliProgress from 'cli-progress'
import type { Progress } from '../common/progress'
import type { CliIo } from './io'

/** How a long run takes its cancel signal and progress listener. */
export interface RunControls {
  signal: AbortSignal
  onProgress: (p: Progress) => void
}

function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--'
  const s = Math.round(seconds)
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`
}

/**
 * Runs a long operation with a terminal progress bar (one per phase, on a terminal only) and Ctrl-C
 * cancelling it: an import then leaves the catalog as it was, indexing keeps what it stored.
 */
export async function withProgress<T>(io: CliIo, run: (controls: RunControls) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const onSigint = (): void => controller.abort()
  process.once('SIGINT', onSigint)
  let bar: cliProgress.SingleBar | null = null
  let phase = ''
  const onProgress = (p: Progress): void => {
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
