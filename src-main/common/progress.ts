/** Progress of a long run (an import, indexing, an export): done of total, rate and estimated time left. */
export interface Progress {
  /** What is running now, e.g. "import reben", "index". */
  phase: string
  done: number
  total: number
  ratePerSecond: number
  etaSeconds: number | null
}

/** Receives progress; runs call it at most every few hundred milliseconds. */
export type ProgressListener<P extends Progress = Progress> = (progress: P) => void

/** Emits progress at most every `intervalMs`, plus the final state. */
export function progressReporter(
  phase: string,
  total: number,
  onProgress: ProgressListener | undefined,
  intervalMs = 200,
): (done: number, force?: boolean) => void {
  const start = performance.now()
  let last = -Infinity
  return (done, force = false) => {
    if (!onProgress) return
    const now = performance.now()
    if (!force && now - last < intervalMs) return
    last = now
    const seconds = (now - start) / 1000
    const rate = seconds > 0 ? done / seconds : 0
    onProgress({
      phase,
      done,
      total,
      ratePerSecond: rate,
      etaSeconds: rate > 0 && total >= done ? (total - done) / rate : null,
    })
  }
}
