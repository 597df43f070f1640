import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { z } from 'zod'
import { BAND_RESOLUTION_M } from '../sentinel2/bands'
import type { BandName } from '../sentinel2/bands'
import type { InputSpec } from './preprocess'

/** The card format this app reads; a card names it in `format`. */
export const CARD_FORMAT = 'earthqube-hash-model/1'

const BAND_NAMES = Object.keys(BAND_RESOLUTION_M) as [BandName, ...BandName[]]

/** A model card: what the network takes and gives, how it was trained and how well it retrieves. */
export const ModelCardSchema = z
  .object({
    format: z.literal(CARD_FORMAT),
    /** Model id: the codes it makes are stored under this id (hash_models.id). */
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use 1–64 letters, digits, ".", "_" or "-"'),
    name: z.string().min(1),
    description: z.string().optional(),
    /** The ONNX file beside the card, and optionally its SHA-256 (checked when present). */
    model: z.object({ file: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/).optional() }),
    architecture: z.string().min(1),
    reference: z.string().optional(),
    bits: z.number().refine((b) => b === 64 || b === 128 || b === 256, 'must be 64, 128 or 256 (the code lengths the catalog stores)'),
    input: z.object({
      /** Name of the ONNX input: a float32 tensor [N, bands, size, size]. */
      name: z.string().min(1),
      bands: z.array(z.enum(BAND_NAMES)).min(1),
      size: z.number().int().min(4).max(1024),
      /** Nominal ground size of a grid pixel for a 1200 m BigEarthNet patch, metres (informative). */
      pixelSizeM: z.number().positive().optional(),
      resampling: z.object({ down: z.literal('area'), up: z.enum(['bilinear', 'nearest']) }),
      /** Pixel types the model accepts (surface reflectance × 10000, as Sentinel-2 products store it). */
      pixelTypes: z.array(z.literal('UInt16')).min(1),
    }),
    normalisation: z.object({
      transform: z.enum(['log1p', 'none']),
      mean: z.array(z.number()),
      std: z.array(z.number().positive()),
    }),
    output: z.object({
      /** Name of the ONNX output: float32 [N, bits], tanh activations; bit j is set when activation j > 0. */
      name: z.string().min(1),
      activation: z.literal('tanh'),
      /** Optional second ONNX output: float32 [N, D], the features the hash head reads (evaluation only; the app never runs it). */
      features: z.string().min(1).optional(),
    }),
    /** Layers, parameters and multiply-adds per image (informative). */
    network: z.record(z.string(), z.unknown()).optional(),
    /** Training data, seed, hyper-parameters (informative). */
    training: z.record(z.string(), z.unknown()).optional(),
    /** Retrieval quality on held-out data (informative). */
    metrics: z.record(z.string(), z.unknown()).optional(),
    createdAt: z.string().optional(),
  })
  .superRefine((card, ctx) => {
    const n = card.input.bands.length
    if (new Set(card.input.bands).size !== n) ctx.addIssue({ code: 'custom', path: ['input', 'bands'], message: 'a band is listed twice' })
    for (const key of ['mean', 'std'] as const) {
      if (card.normalisation[key].length !== n) {
        ctx.addIssue({ code: 'custom', path: ['normalisation', key], message: `has ${card.normalisation[key].length} values for ${n} bands` })
      }
    }
  })

/** A parsed, validated model card. */
export type ModelCard = z.infer<typeof ModelCardSchema>

/** A model ready to run: its card and an open onnxruntime session that matches it. */
export interface LoadedModel {
  id: string
  onnxPath: string
  cardPath: string
  card: ModelCard
  spec: InputSpec
  session: ort.InferenceSession
  /** SHA-256 of the ONNX file as loaded (hex): which file made a set of codes. */
  sha256: string
}

/** Options for opening a model. */
export interface LoadModelOptions {
  /** onnxruntime intra-op threads (default 1: callers parallelise across workers). */
  threads?: number
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** The preprocessing spec a card declares. */
export function inputSpecOf(card: ModelCard): InputSpec {
  return {
    bands: card.input.bands,
    size: card.input.size,
    resampling: card.input.resampling,
    transform: card.normalisation.transform,
    mean: card.normalisation.mean,
    std: card.normalisation.std,
  }
}

/** `model.onnx` → `model.card.json`. */
export function cardPathOf(onnxPath: string): string {
  return join(dirname(onnxPath), `${basename(onnxPath).replace(/\.onnx$/i, '')}.card.json`)
}

/** Reads and validates a card file; errors name the file and each problem. */
export function readCard(cardPath: string): ModelCard {
  let text: string
  try {
    text = readFileSync(cardPath, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new Error(code === 'ENOENT' ? `model card ${cardPath} is missing` : `cannot read model card ${cardPath} (${message(e)})`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new Error(`model card ${basename(cardPath)} is not valid JSON (${message(e)})`)
  }
  const parsed = ModelCardSchema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'top level'}: ${i.message}`)
    throw new Error(`${basename(cardPath)} is not a valid model card (${issues.join('; ')})`)
  }
  return parsed.data
}

/** The ONNX file a path stands for: the file itself, or the single .onnx file in a folder. */
export function resolveOnnxPath(path: string): string {
  let st
  try {
    st = statSync(path)
  } catch (e) {
    throw new Error(`cannot read model ${path} (${message(e)})`)
  }
  if (!st.isDirectory()) {
    if (!/\.onnx$/i.test(path)) throw new Error(`${path} is not an ONNX model (expected a .onnx file or a model folder)`)
    return path
  }
  const onnx = readdirSync(path).filter((f) => /\.onnx$/i.test(f)).sort()
  if (onnx.length === 0) throw new Error(`model folder ${path} holds no .onnx file`)
  if (onnx.length > 1) throw new Error(`model folder ${path} holds ${onnx.length} .onnx files (${onnx.join(', ')}); keep one per folder`)
  return join(path, onnx[0]!)
}

/** Checks a session's inputs and outputs against the card, by metadata and by a dry run on zeros. */
async function checkSession(session: ort.InferenceSession, card: ModelCard, file: string): Promise<void> {
  const { input, output, bits } = card
  const expected = `[N, ${input.bands.length}, ${input.size}, ${input.size}]`
  if (session.inputNames.length !== 1 || session.inputNames[0] !== input.name) {
    throw new Error(`${file} takes inputs ${JSON.stringify(session.inputNames)}, but its card says one input "${input.name}" ${expected}`)
  }
  if (!session.outputNames.includes(output.name)) {
    throw new Error(`${file} gives outputs ${JSON.stringify(session.outputNames)}, but its card says "${output.name}" [N, ${bits}]`)
  }
  if (output.features !== undefined && !session.outputNames.includes(output.features)) {
    throw new Error(`${file} gives outputs ${JSON.stringify(session.outputNames)}, but its card names a features output "${output.features}"`)
  }
  const meta = session.inputMetadata[0]
  if (meta?.isTensor) {
    if (meta.type !== 'float32') throw new Error(`${file} takes ${meta.type} input, but its card says float32 ${expected}`)
    const shape = meta.shape
    const fixed = (i: number, want: number): boolean => typeof shape[i] !== 'number' || shape[i] === want
    if (shape.length !== 4 || !fixed(1, input.bands.length) || !fixed(2, input.size) || !fixed(3, input.size)) {
      throw new Error(`${file} takes input [${shape.join(', ')}], but its card says ${expected} (${input.bands.join(', ')})`)
    }
  }
  const zeros = new ort.Tensor('float32', new Float32Array(input.bands.length * input.size * input.size), [1, input.bands.length, input.size, input.size])
  let result: ort.InferenceSession.ReturnType
  try {
    result = await session.run({ [input.name]: zeros }, [output.name])
  } catch (e) {
    throw new Error(`${file} fails on an input of shape [1, ${input.bands.length}, ${input.size}, ${input.size}], as its card declares (${message(e)})`)
  }
  const out = result[output.name]
  if (!out || out.type !== 'float32' || out.dims.length !== 2 || out.dims[0] !== 1 || out.dims[1] !== bits) {
    const got = out ? `${out.type} [${out.dims.join(', ')}]` : 'nothing'
    throw new Error(`${file} gives ${got} for one image, but its card says float32 [1, ${bits}] (${bits}-bit codes)`)
  }
}

/**
 * Opens a model: a folder holding one `<name>.onnx` and its `<name>.card.json`, or the .onnx path.
 * Validates the card, opens an onnxruntime session and checks that inputs, outputs and shapes match the
 * card. Every failure is an error naming the file and the mismatch; nothing is left open on failure.
 */
export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const onnxPath = resolveOnnxPath(path)
  const cardPath = cardPathOf(onnxPath)
  const card = readCard(cardPath)
  const file = basename(onnxPath)
  if (card.model.file !== file) {
    throw new Error(`${basename(cardPath)} describes ${card.model.file}, not ${file}`)
  }
  let bytes: Buffer
  try {
    bytes = readFileSync(onnxPath)
  } catch (e) {
    throw new Error(`cannot read model ${onnxPath} (${message(e)})`)
  }
  const sha = createHash('sha256').update(bytes).digest('hex')
  if (card.model.sha256) {
    if (sha !== card.model.sha256) {
      throw new Error(`${file} is not the model its card describes (SHA-256 ${sha.slice(0, 12)}…, card says ${card.model.sha256.slice(0, 12)}…)`)
    }
  }
  let session: ort.InferenceSession
  try {
    session = await ort.InferenceSession.create(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    })
  } catch (e) {
    throw new Error(`${onnxPath} is not a readable ONNX model (${message(e)})`)
  }
  try {
    await checkSession(session, card, file)
  } catch (e) {
    await session.release()
    throw e
  }
  return { id: card.id, onnxPath, cardPath, card, spec: inputSpecOf(card), session, sha256: sha }
}

/** A model folder found under the models root: its card, or why it cannot be used. */
export interface ModelEntry {
  dir: string
  id: string | null
  card: ModelCard | null
  error: string | null
}

/**
 * The models under a models root (`<root>/<id>/<name>.onnx` + `<name>.card.json`), by folder name. Only
 * cards are read (cheap); `loadModel` does the full check when one is selected. A missing root is empty.
 */
export function listModels(root: string): ModelEntry[] {
  let names: string[]
  try {
    names = readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort()
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new Error(`cannot read models folder ${root} (${message(e)})`)
  }
  return names.map((name) => {
    const dir = join(root, name)
    try {
      const card = readCard(cardPathOf(resolveOnnxPath(dir)))
      return { dir, id: card.id, card, error: null }
    } catch (e) {
      return { dir, id: null, card: null, error: message(e) }
    }
  })
}
