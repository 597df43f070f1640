import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ModelEntry } from './card'
import { listModels } from './card'

/** The model the app uses unless told otherwise: MiLaN trained on the (simulated) demo archive. */
export const DEFAULT_MODEL_ID = 'milan-demo-128'

/**
 * Where models are: the folder shipped with the app (resources/models; the adapter that starts the
 * app knows where its resources are) and the user's folder (an .onnx + card folder dropped there).
 */
export interface ModelFolders {
  shipped: string | null
  user: string
}

/** The hash models of both folders, the user's first (a user model may replace a shipped one of the same id). */
export class ModelRegistry {
  constructor(readonly folders: ModelFolders) {}

  /** Every model folder of both places, usable or not (an unusable one carries its error). */
  available(): ModelEntry[] {
    const { shipped, user } = this.folders
    return [...listModels(user), ...(shipped ? listModels(shipped) : [])]
  }

  /**
   * The model folder (or .onnx file) for `idOrPath`: an existing path as given, else a model of that id in
   * the models folders; the default model when omitted. The error lists what there is.
   */
  resolve(idOrPath: string = DEFAULT_MODEL_ID): string {
    if (existsSync(idOrPath)) return resolve(idOrPath)
    const models = this.available()
    const found = models.find((m) => m.id === idOrPath)
    if (found) return found.dir
    const valid = models.filter((m) => m.id).map((m) => m.id)
    const broken = models.filter((m) => m.error).map((m) => `${m.dir}: ${m.error}`)
    throw new Error(
      `no model ${JSON.stringify(idOrPath)}: not a path, and not among the models (${valid.join(', ') || 'none'})` +
        ` in ${this.folders.user} or the app's resources/models` +
        (broken.length > 0 ? `; unusable: ${broken.join('; ')}` : ''),
    )
  }
}
