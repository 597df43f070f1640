import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ModelEntry } from './card'
import { listModels } from './card'

/** The model the app uses unless told otherwise: MiLaN trained on the (simulated) demo archive. */
export const DEFAULT_MODEL_ID = 'milan-demo-128'

/**
 * The folder of models shipped with the app: resources/models, found by walking up from this module
 * (src-main/inference under tsx and vitest; out/main or out/main/chunks when bundled).
 */
export function shippedModelsFolder(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let up = 0; up < 5; up++) {
    const candidate = join(dir, 'resources', 'models')
    if (existsSync(candidate)) return candidate
    dir = dirname(dir)
  }
  return null
}

/** The user's models folder: $EARTHQUBE_MODELS, else ~/.earthqube/models (drop an .onnx + card folder there). */
export function userModelsFolder(): string {
  return process.env.EARTHQUBE_MODELS ? resolve(process.env.EARTHQUBE_MODELS) : join(homedir(), '.earthqube', 'models')
}

/** Every model folder of both places, the user's first (a user model may replace a shipped one of the same id). */
export function availableModels(): ModelEntry[] {
  const shipped = shippedModelsFolder()
  return [...listModels(userModelsFolder()), ...(shipped ? listModels(shipped) : [])]
}

/**
 * The model folder (or .onnx file) for `idOrPath`: an existing path as given, else a model of that id in
 * the models folders; the default model when omitted. The error lists what there is.
 */
export function resolveModel(idOrPath: string = DEFAULT_MODEL_ID): string {
  if (existsSync(idOrPath)) return resolve(idOrPath)
  const models = availableModels()
  const found = models.find((m) => m.id === idOrPath)
  if (found) return found.dir
  const valid = models.filter((m) => m.id).map((m) => m.id)
  const broken = models.filter((m) => m.error).map((m) => `${m.dir}: ${m.error}`)
  throw new Error(
    `no model ${JSON.stringify(idOrPath)}: not a path, and not among the models (${valid.join(', ') || 'none'})` +
      ` in ${userModelsFolder()} or the app's resources/models` +
      (broken.length > 0 ? `; unusable: ${broken.join('; ')}` : ''),
  )
}
