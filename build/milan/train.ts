/**
 * `npm run train:milan`: prepares a dataset from BigEarthNet v1/v2 folders with the app's own
 * preprocessing (prepare-dataset.ts), trains MiLaN with PyTorch (train.py), and checks that the exported
 * model opens in onnxruntime-node against its card.
 *
 *   tsx build/milan/train.ts (--data <folder> [--metadata <parquet>…] | --demo N [--demo-seed 42]) --out resources/models/<id>
 *     [--epochs N] [--limit N] [--seed S] [--bits 128] [--batch-size 128] [--threads 2]
 *     [--precision float32|float16] [--dataset <folder to keep the prepared data in>] [--python <exe>]
 *     [-- <more train.py options>]
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { loadModel } from '../../src-main/inference/card'
import { prepareDataset } from './prepare-dataset'

const HERE = fileURLToPath(new URL('.', import.meta.url))

/** Debian's Python first: its python3-torch and python3-onnx are what the trainer is tested with. */
const PYTHON_CANDIDATES = ['/usr/bin/python3', 'python3', 'python']

/**
 * A Python that can import torch, onnx and numpy: `explicit`, else $EARTHQUBE_PYTHON, else the first
 * candidate that works; null when there is none (tests skip on null).
 */
export function findTrainerPython(explicit?: string): string | null {
  const list = explicit ? [explicit] : process.env.EARTHQUBE_PYTHON ? [process.env.EARTHQUBE_PYTHON] : PYTHON_CANDIDATES
  for (const exe of list) {
    const r = spawnSync(exe, ['-c', 'import torch, onnx, numpy'], { stdio: 'ignore', timeout: 60_000 })
    if (r.status === 0) return exe
  }
  return null
}

/** Options of one training run. */
export interface TrainOptions {
  /** BigEarthNet v1/v2 folder; or give `demo`. */
  data?: string
  /** Instead of `data`: the first N patches of the SIMULATED demo archive (prepare-dataset's `--demo`). */
  demo?: number
  demoSeed?: number
  out: string
  metadata?: string[]
  epochs?: number
  limit?: number
  seed?: number
  bits?: number
  batchSize?: number
  threads?: number
  precision?: 'float32' | 'float16'
  /** Keep the prepared dataset here (default: a temporary folder, removed afterwards). */
  dataset?: string
  python?: string
  /** More train.py options, verbatim. */
  extra?: string[]
  log?: (line: string) => void
}

/** Runs prepare → train.py → load check; returns the model card. Throws a readable error on any failure. */
export async function trainMilan(o: TrainOptions): Promise<Awaited<ReturnType<typeof loadModel>>['card']> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`))
  const python = findTrainerPython(o.python)
  if (!python) {
    throw new Error(
      'training needs Python 3 with torch, onnx and numpy (Debian: apt-get install python3-torch python3-onnx python3-numpy); ' +
        'set EARTHQUBE_PYTHON or --python to choose an interpreter',
    )
  }
  const datasetDir = o.dataset ? resolve(o.dataset) : mkdtempSync(join(tmpdir(), 'milan-dataset-'))
  try {
    await prepareDataset({ data: o.data, demo: o.demo, demoSeed: o.demoSeed, metadata: o.metadata, out: datasetDir, limit: o.limit, precision: o.precision, log })
    const args = [join(HERE, 'train.py'), '--dataset', datasetDir, '--out', resolve(o.out), '--id', basename(resolve(o.out))]
    const num = (flag: string, v: number | undefined): void => {
      if (v !== undefined) args.push(flag, String(v))
    }
    num('--epochs', o.epochs)
    num('--seed', o.seed)
    num('--bits', o.bits)
    num('--batch-size', o.batchSize)
    num('--threads', o.threads)
    args.push(...(o.extra ?? []))
    log(`${python} ${args.join(' ')}`)
    const r = spawnSync(python, args, { stdio: ['ignore', 'inherit', 'inherit'] })
    if (r.error) throw new Error(`cannot run ${python}: ${r.error.message}`)
    if (r.status !== 0) throw new Error(`train.py failed (exit code ${r.status ?? r.signal})`)
  } finally {
    if (!o.dataset) rmSync(datasetDir, { recursive: true, force: true })
  }
  // The app's own loader is the final check: card valid, session opens, shapes match.
  const model = await loadModel(resolve(o.out))
  await model.session.release()
  log(`model "${model.card.id}" ready: ${model.onnxPath} (${model.card.bits} bits)`)
  return model.card
}

function parseCli(argv: string[]): TrainOptions {
  const dash = argv.indexOf('--')
  const own = dash >= 0 ? argv.slice(0, dash) : argv
  const extra = dash >= 0 ? argv.slice(dash + 1) : []
  const { values } = parseArgs({
    args: own,
    options: {
      data: { type: 'string' },
      demo: { type: 'string' },
      'demo-seed': { type: 'string' },
      out: { type: 'string' },
      metadata: { type: 'string', multiple: true },
      epochs: { type: 'string' },
      limit: { type: 'string' },
      seed: { type: 'string' },
      bits: { type: 'string' },
      'batch-size': { type: 'string' },
      threads: { type: 'string' },
      precision: { type: 'string' },
      dataset: { type: 'string' },
      python: { type: 'string' },
    },
    strict: true,
  })
  if ((!values.data && !values.demo) || !values.out) {
    throw new Error('usage: npm run train:milan -- (--data <BigEarthNet folder> | --demo N) --out resources/models/<id> [--epochs N] [--limit N] [--seed S] …')
  }
  const int = (name: string, v: string | undefined, min: number): number | undefined => {
    if (v === undefined) return undefined
    const n = Number(v)
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, not ${v}`)
    return n
  }
  const precision = values.precision
  if (precision !== undefined && precision !== 'float32' && precision !== 'float16') {
    throw new Error(`--precision is float32 or float16, not ${precision}`)
  }
  return {
    data: values.data,
    demo: int('demo', values.demo, 1),
    demoSeed: int('demo-seed', values['demo-seed'], 0),
    out: values.out,
    metadata: values.metadata,
    epochs: int('epochs', values.epochs, 0),
    limit: int('limit', values.limit, 1),
    seed: int('seed', values.seed, 0),
    bits: int('bits', values.bits, 8),
    batchSize: int('batch-size', values['batch-size'], 2),
    threads: int('threads', values.threads, 1),
    precision,
    dataset: values.dataset,
    python: values.python,
    extra,
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await trainMilan(parseCli(process.argv.slice(2)))
  } catch (e) {
    process.stderr.write(`train:milan: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  }
}
