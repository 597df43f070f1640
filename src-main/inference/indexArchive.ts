import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Catalog } from '../catalog/catalog'
import { codeCoverage, dropHashModel, ensureHashModel, hashModel, sameModelFile, storeCodes, uncodedPatches } from '../catalog/codes'
import type { PatchWithPixels } from '../catalog/codes'
import type { PatchImage } from '../sentinel2/patchImage'
import { cardPathOf, readCard, resolveOnnxPath } from './card'
import type { EncoderWorker, EncoderWorkerFactory } from './indexWorker'
import { threadEncoderWorkerFactory } from './indexWorker'

/** Loads a catalog patch's pixels from its `pixels_path` (a folder, a file, or e.g. a `demo://` address). */
export type PixelSource = (pixelsPath: string) => Promise<PatchImage>

/** Progress of an indexing run: patches with a code of the model out of all patches with pixels. */
export interface IndexProgress {
  phase: 'index'
  done: number
  total: number
  failed: number
  ratePerSecond: number
  etaSeconds: number | null
}

/** How messages show a model file's SHA-256: its first 16 hex digits. */
const stampOf = (sha256: string): string => sha256.slice(0, 16)

/**
 * Null when the catalog's codes of `modelId` (if any) were made by the model file with this SHA-256; else
 * what is wrong, for an error: codes of one model compared with codes of another are meaningless.
 */
export function staleCodesMessage(catalog: Catalog, modelId: string, sha256: string): string | null {
  const made = hashModel(catalog.db, modelId)?.modelSha256
  if (!made || sameModelFile(made, sha256)) return null
  return `the catalog holds codes of model "${modelId}" made by another model file (sha256 ${stampOf(made)}…, this one ${stampOf(sha256)}…)`
}

/** Options of `indexArchive`. */
export interface IndexOptions {
  /** Aborting stops after the batches in flight; their codes are kept, so a new run resumes. */
  signal?: AbortSignal
  onProgress?: (p: IndexProgress) => void
  /** Patches per batch (one onnxruntime call, one catalog transaction). Default 64. */
  batchSize?: number
  /**
   * Where pixels come from. Without it, each worker reads `pixels_path` folders and files itself
   * (readPatchImage), so reading runs in parallel too. With it, pixels are loaded here, preprocessed
   * here, and only the network runs in the workers.
   */
  pixelSource?: PixelSource
  /** Makes the model runners; default: worker threads. Tests inject `inProcessEncoderWorker`. */
  workerFactory?: EncoderWorkerFactory
  /** Number of model runners (default 2: one per core of a small machine). */
  workers?: number
  /** onnxruntime threads per runner (default 1). */
  threads?: number
  /**
   * When the catalog holds codes of this model id made by another model file (a retrained model): remove
   * them and index afresh, once the new model has opened. Without it, that case is an error.
   */
  replace?: boolean
}

/** A patch that got no code, and why. */
export interface IndexFailure {
  patchId: number
  name: string
  error: string
}

/** What an indexing run did. */
export interface IndexResult {
  modelId: string
  bits: number
  /** Patches with pixels. */
  total: number
  /** Patches that had a code of this model before the run. */
  alreadyCoded: number
  /** Codes stored by this run. */
  stored: number
  /** Patches that failed (first 100 listed), and how many in all. */
  failures: IndexFailure[]
  failedCount: number
  seconds: number
}

/** Thrown when indexing is cancelled; the codes stored so far stay, and a new run resumes after them. */
export class IndexCancelledError extends Error {
  constructor(
    readonly stored: number,
    readonly remaining: number,
  ) {
    super(`indexing cancelled: ${stored} codes stored, ${remaining} patches left; run it again to resume`)
    this.name = 'IndexCancelledError'
  }
}

const MAX_LISTED_FAILURES = 100

type Row = PatchWithPixels

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/**
 * Computes the hash code of every catalog patch that has pixels and no code of this model yet, and
 * stores the codes under the model's id (resumable). The model (folder or .onnx with its card) is
 * checked before anything is written: a corrupt file or a card that does not match fails with nothing
 * stored. A patch whose pixels cannot be read or fail the model's checks gets no code and is listed in
 * `failures`; the run goes on. Codes are stored a batch per transaction.
 */
export async function indexArchive(catalog: Catalog, modelPath: string, options: IndexOptions = {}): Promise<IndexResult> {
  const t0 = performance.now()
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 64))
  const onnxPath = resolveOnnxPath(modelPath)
  const card = readCard(cardPathOf(onnxPath))
  // The workers load the model; here only the file's hash is needed.
  const sha = createHash('sha256').update(readFileSync(onnxPath)).digest('hex')
  const db = catalog.db
  const stale = staleCodesMessage(catalog, card.id, sha)
  if (stale && !options.replace) throw new Error(`${stale}; run \`earthqube index --replace\` to recompute them with this one, or give the new model its own id`)

  const factory = options.workerFactory ?? threadEncoderWorkerFactory()
  const count = Math.max(1, Math.floor(options.workers ?? 2))
  const workers: EncoderWorker[] = []
  try {
    // Open every runner before the first write: a bad model fails here with the catalog unchanged.
    const opened = await Promise.allSettled(Array.from({ length: count }, () => factory(onnxPath, { threads: options.threads ?? 1 })))
    for (const o of opened) if (o.status === 'fulfilled') workers.push(o.value)
    const refused = opened.find((o) => o.status === 'rejected')
    if (refused) throw refused.reason
    if (workers[0]!.bits !== card.bits || workers[0]!.id !== card.id) {
      throw new Error(`model ${onnxPath} opened as "${workers[0]!.id}" (${workers[0]!.bits} bits), its card says "${card.id}" (${card.bits} bits)`)
    }
    if (stale) dropHashModel(db, card.id)
    ensureHashModel(db, card.id, card.bits, { description: card.name, modelSha256: sha })

    const { withPixels: total, coded: alreadyCoded } = codeCoverage(db, card.id)
    const next = uncodedPatches(db, card.id)
    const todo = total - alreadyCoded
    let stored = 0
    let processed = 0
    let failedCount = 0
    const failures: IndexFailure[] = []
    const fail = (row: Row, error: string): void => {
      failedCount++
      if (failures.length < MAX_LISTED_FAILURES) failures.push({ patchId: row.id, name: row.name, error })
    }
    let lastReport = -Infinity
    const report = (force = false): void => {
      if (!options.onProgress) return
      const now = performance.now()
      if (!force && now - lastReport < 200) return
      lastReport = now
      const seconds = (now - t0) / 1000
      const rate = seconds > 0 ? processed / seconds : 0
      options.onProgress({
        phase: 'index',
        done: alreadyCoded + stored,
        total,
        failed: failedCount,
        ratePerSecond: rate,
        etaSeconds: rate > 0 ? Math.max(0, todo - processed) / rate : null,
      })
    }
    report(true)

    /** Encodes one batch on one runner and stores its codes (one transaction). */
    const runBatch = async (worker: EncoderWorker, rows: Row[]): Promise<void> => {
      let codes: (Uint8Array | null)[]
      if (options.pixelSource) {
        const input = new Float32Array(rows.length * worker.tensorLength)
        const ok: number[] = []
        for (const [i, row] of rows.entries()) {
          try {
            const image = await options.pixelSource(row.pixels_path)
            worker.prepare(image, input, ok.length * worker.tensorLength)
            ok.push(i)
          } catch (e) {
            fail(row, message(e))
          }
        }
        codes = rows.map(() => null)
        if (ok.length > 0) {
          const got = await worker.run(input.subarray(0, ok.length * worker.tensorLength), ok.length)
          got.forEach((c, k) => (codes[ok[k]!] = c))
        }
      } else {
        const r = await worker.encodePaths(rows.map((row) => row.pixels_path))
        codes = r.codes
        r.errors.forEach((err, i) => err !== null && fail(rows[i]!, err))
      }
      const entries = rows.flatMap((row, i) => (codes[i] ? [{ patchId: row.id, code: codes[i]! }] : []))
      if (entries.length > 0) stored += storeCodes(db, card.id, entries)
      processed += rows.length
      report()
    }

    const idle = [...workers]
    const inFlight = new Set<Promise<void>>()
    let firstError: unknown = null
    let cursor = 0
    let cancelled = false
    for (;;) {
      if (options.signal?.aborted) {
        cancelled = true
        break
      }
      const rows = next(cursor, batchSize)
      if (rows.length === 0) break
      cursor = rows[rows.length - 1]!.id
      while (idle.length === 0) await Promise.race(inFlight)
      if (firstError) break
      const worker = idle.pop()!
      const job: Promise<void> = runBatch(worker, rows)
        .catch((e: unknown) => {
          firstError ??= e
        })
        .finally(() => {
          inFlight.delete(job)
          idle.push(worker)
        })
      inFlight.add(job)
    }
    await Promise.all(inFlight)
    if (firstError) throw firstError
    report(true)
    if (cancelled) throw new IndexCancelledError(stored, Math.max(0, todo - processed))
    return {
      modelId: card.id,
      bits: card.bits,
      total,
      alreadyCoded,
      stored,
      failures,
      failedCount,
      seconds: (performance.now() - t0) / 1000,
    }
  } finally {
    await Promise.all(workers.map((w) => w.close().catch(() => undefined)))
  }
}
