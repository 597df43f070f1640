import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import type { PatchImage } from '../sentinel2/patchImage'
import { readPatchImage } from '../sentinel2/geotiff'
import { cardPathOf, inputSpecOf, readCard, resolveOnnxPath } from './card'
import { Encoder } from './encoder'
import { packCodes } from '../hashcode/hashCode'
import { preprocess, tensorLength } from './preprocess'
import { validatePatchImage } from './validate'

/** Codes for a batch of pixel paths: one entry per path, a code or the reason it has none. */
export interface PathBatchResult {
  codes: (Uint8Array | null)[]
  errors: (string | null)[]
}

/** One model, ready to encode batches, wherever it runs (a worker thread or this thread). */
export interface EncoderWorker {
  readonly id: string
  readonly bits: number
  /** Elements per image of the input tensor (bands × size × size). */
  readonly tensorLength: number
  /** Checks and preprocesses an image into `out` at `offset` (throws a readable error). */
  prepare(image: PatchImage, out: Float32Array, offset: number): void
  /** Runs preprocessed images [count, bands, size, size]; resolves to codes. `input` may be transferred. */
  run(input: Float32Array, count: number): Promise<Uint8Array[]>
  /** Reads (readPatchImage), checks, preprocesses and encodes pixel folders or files. */
  encodePaths(paths: readonly string[]): Promise<PathBatchResult>
  close(): Promise<void>
}

/** Options a factory gets. */
export interface EncoderWorkerOptions {
  /** onnxruntime intra-op threads (default 1). */
  threads?: number
}

/** Makes an EncoderWorker for a model (folder or .onnx); rejects with loadModel's readable errors. */
export type EncoderWorkerFactory = (modelPath: string, options: EncoderWorkerOptions) => Promise<EncoderWorker>

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Reads in flight per batch: reading a patch folder waits on 12 small files, so a few overlap well. */
const READS_IN_FLIGHT = 4

/** Encodes images read from paths with an open encoder: the work one batch does, in whichever thread. */
async function encodePathsWith(encoder: Encoder, paths: readonly string[]): Promise<PathBatchResult> {
  const per = tensorLength(encoder.model.spec)
  const input = new Float32Array(paths.length * per)
  const errors: (string | null)[] = paths.map(() => null)
  const ok: boolean[] = paths.map(() => false)
  let next = 0
  const reader = async (): Promise<void> => {
    while (next < paths.length) {
      const i = next++
      try {
        const image = await readPatchImage(paths[i]!)
        validatePatchImage(image, encoder.model.card)
        preprocess(image, encoder.model.spec, input, i * per)
        ok[i] = true
      } catch (e) {
        errors[i] = message(e)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, paths.length) }, reader))
  // Compact the good images to the front, in order, and run them in one go.
  const good = ok.flatMap((g, i) => (g ? [i] : []))
  good.forEach((i, k) => {
    if (i !== k) input.copyWithin(k * per, i * per, (i + 1) * per)
  })
  const codes: (Uint8Array | null)[] = paths.map(() => null)
  if (good.length > 0) {
    const acts = await encoder.run(input.subarray(0, good.length * per), good.length)
    packCodes(acts, good.length, encoder.bits).forEach((code, k) => (codes[good[k]!] = code))
  }
  return { codes, errors }
}

function wrap(encoder: Encoder): EncoderWorker {
  return {
    id: encoder.model.id,
    bits: encoder.bits,
    tensorLength: tensorLength(encoder.model.spec),
    prepare: (image, out, offset) => {
      validatePatchImage(image, encoder.model.card)
      preprocess(image, encoder.model.spec, out, offset)
    },
    run: async (input, count) => packCodes(await encoder.run(input, count), count, encoder.bits),
    encodePaths: (paths) => encodePathsWith(encoder, paths),
    close: () => encoder.close(),
  }
}

/** Runs the model in the calling thread (tests, the CLI, one-off uploads). */
export const inProcessEncoderWorker: EncoderWorkerFactory = async (modelPath, options) =>
  wrap(await Encoder.open(modelPath, { threads: options.threads ?? 1 }))

const WORKER_KIND = 'earthqube-encoder-worker'

type Request =
  | { type: 'run'; seq: number; input: Float32Array; count: number }
  | { type: 'paths'; seq: number; paths: string[] }
  | { type: 'close'; seq: number }

type Response =
  | { type: 'ready'; id: string; bits: number; tensorLength: number }
  | { type: 'failed'; message: string }
  | { type: 'codes'; seq: number; bytes: Uint8Array; count: number }
  | { type: 'paths'; seq: number; bytes: Uint8Array; errors: (string | null)[] }
  | { type: 'error'; seq: number; message: string }
  | { type: 'closed'; seq: number }

/** How to start the worker: a script file, or (unbundled TypeScript) a bootstrap that registers tsx first. */
export type WorkerScript = { file: URL } | { code: string }

/**
 * The worker script: `indexWorker.js` beside the bundle (electron-vite builds it as its own entry), or
 * when this module runs as TypeScript (tsx, vitest), this very file loaded through tsx's ESM hooks.
 */
export function defaultWorkerScript(): WorkerScript {
  const self = new URL(import.meta.url)
  const file = basename(fileURLToPath(self))
  if (!file.endsWith('.ts')) {
    if (/^indexWorker\./.test(file)) return { file: self }
    // Bundled: this code sits in an entry of out/main or in a shared chunk below it (out/main/chunks).
    const beside = new URL('./indexWorker.js', self)
    return { file: existsSync(fileURLToPath(beside)) ? beside : new URL('../indexWorker.js', self) }
  }
  // Node 20 workers ignore `--import tsx` in execArgv; register tsx's hooks from inside the worker.
  const require = createRequire(import.meta.url)
  const tsxDir = dirname(require.resolve('tsx/package.json'))
  const pkg = JSON.parse(readFileSync(join(tsxDir, 'package.json'), 'utf8')) as { exports: Record<string, { import: { default: string } }> }
  const api = pathToFileURL(join(tsxDir, pkg.exports['./esm/api']!.import.default)).href
  return { code: `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(self.href)}) })` }
}

/**
 * Runs the model in a worker thread (node:worker_threads), so inference never blocks the caller's
 * event loop. Preprocessing of images handed to `prepare` stays in the calling thread (cheap);
 * `encodePaths` reads and preprocesses in the worker too.
 */
export function threadEncoderWorkerFactory(script = defaultWorkerScript()): EncoderWorkerFactory {
  return (modelPath, options) =>
    new Promise<EncoderWorker>((resolveWorker, rejectWorker) => {
      const workerData = { kind: WORKER_KIND, modelPath, threads: options.threads ?? 1 }
      const worker = 'code' in script ? new Worker(script.code, { eval: true, workerData }) : new Worker(script.file, { workerData })
      const pending = new Map<number, { resolve: (r: Response) => void; reject: (e: Error) => void }>()
      let seq = 0
      let ready = false
      let dead: Error | null = null
      const fail = (e: Error): void => {
        dead = e
        for (const p of pending.values()) p.reject(e)
        pending.clear()
        if (!ready) rejectWorker(e)
      }
      worker.on('error', (e) => fail(new Error(`encoder worker failed: ${message(e)}`)))
      worker.on('exit', (code) => fail(new Error(`encoder worker exited (code ${code})`)))
      const call = (req: Request, transfer: ArrayBuffer[] = []): Promise<Response> => {
        if (dead) return Promise.reject(dead)
        return new Promise((resolve, reject) => {
          pending.set(req.seq, { resolve, reject })
          worker.postMessage(req, transfer)
        })
      }
      worker.on('message', (msg: Response) => {
        if (msg.type === 'ready') {
          ready = true
          // Validation and preprocessing in this thread need only the card the worker has just checked.
          let card: ReturnType<typeof readCard>
          try {
            card = readCard(cardPathOf(resolveOnnxPath(modelPath)))
          } catch (e) {
            worker.removeAllListeners('exit')
            void worker.terminate()
            rejectWorker(e instanceof Error ? e : new Error(String(e)))
            return
          }
          const spec = inputSpecOf(card)
          const bits = msg.bits
          const bytes = bits >> 3
          resolveWorker({
            id: msg.id,
            bits,
            tensorLength: msg.tensorLength,
            prepare: (image, out, offset) => {
              validatePatchImage(image, card)
              preprocess(image, spec, out, offset)
            },
            run: async (input, count) => {
              const copy = input.byteOffset === 0 && input.byteLength === input.buffer.byteLength ? input : input.slice()
              const r = await call({ type: 'run', seq: ++seq, input: copy, count }, [copy.buffer as ArrayBuffer])
              if (r.type !== 'codes') throw new Error('encoder worker: unexpected reply')
              return Array.from({ length: r.count }, (_, i) => r.bytes.slice(i * bytes, (i + 1) * bytes))
            },
            encodePaths: async (paths) => {
              const r = await call({ type: 'paths', seq: ++seq, paths: [...paths] })
              if (r.type !== 'paths') throw new Error('encoder worker: unexpected reply')
              let k = 0
              const codes = r.errors.map((err) => (err === null ? r.bytes.slice(k * bytes, ++k * bytes) : null))
              return { codes, errors: r.errors }
            },
            close: async () => {
              if (dead) return
              await call({ type: 'close', seq: ++seq }).catch(() => undefined)
              worker.removeAllListeners('exit')
              await worker.terminate()
            },
          })
          return
        }
        if (msg.type === 'failed') {
          rejectWorker(new Error(msg.message))
          worker.removeAllListeners('exit')
          void worker.terminate()
          return
        }
        const p = pending.get(msg.seq)
        if (!p) return
        pending.delete(msg.seq)
        if (msg.type === 'error') p.reject(new Error(msg.message))
        else p.resolve(msg)
      })
    })
}

/** The worker thread's side: open the model, then answer requests one at a time. */
async function serve(): Promise<void> {
  const port = parentPort!
  const { modelPath, threads } = workerData as { modelPath: string; threads: number }
  let encoder: Encoder
  try {
    encoder = await Encoder.open(modelPath, { threads })
  } catch (e) {
    port.postMessage({ type: 'failed', message: message(e) } satisfies Response)
    return
  }
  port.postMessage({ type: 'ready', id: encoder.model.id, bits: encoder.bits, tensorLength: tensorLength(encoder.model.spec) } satisfies Response)
  const bytes = encoder.bits >> 3
  port.on('message', async (req: Request) => {
    try {
      if (req.type === 'run') {
        const codes = packCodes(await encoder.run(req.input, req.count), req.count, encoder.bits)
        const out = new Uint8Array(req.count * bytes)
        codes.forEach((c, i) => out.set(c, i * bytes))
        port.postMessage({ type: 'codes', seq: req.seq, bytes: out, count: req.count } satisfies Response, [out.buffer])
      } else if (req.type === 'paths') {
        const r = await encodePathsWith(encoder, req.paths)
        const ok = r.codes.filter((c): c is Uint8Array => c !== null)
        const out = new Uint8Array(ok.length * bytes)
        ok.forEach((c, i) => out.set(c, i * bytes))
        port.postMessage({ type: 'paths', seq: req.seq, bytes: out, errors: r.errors } satisfies Response, [out.buffer])
      } else {
        await encoder.close()
        port.postMessage({ type: 'closed', seq: req.seq } satisfies Response)
        port.close()
      }
    } catch (e) {
      port.postMessage({ type: 'error', seq: req.seq, message: message(e) } satisfies Response)
    }
  })
}

if (!isMainThread && (workerData as { kind?: string } | null)?.kind === WORKER_KIND) void serve()
