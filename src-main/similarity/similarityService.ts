import type { Catalog } from '../catalog/catalog'
import { codesVersion, hashModels, loadCodes } from '../catalog/codes'
import { HashIndex } from '../hashindex/hashIndex'
import type { SearchEngine } from '../search/engine'
import { Encoder } from '../inference/encoder'
import { exampleCaveats, readExample } from '../inference/validate'
import type { ModelRegistry } from '../inference/modelRegistry'
import { staleCodesMessage } from '../inference/indexArchive'

/** How many neighbours, or which radius: exactly one of the two. */
export type SimilarMode = { k: number } | { radius: number }

/** One similar patch. */
export interface SimilarItem {
  name: string
  distance: number
}

/** Result of a similarity query. */
export interface SimilarResult {
  model: string
  bits: number
  query: string
  items: SimilarItem[]
  /** For a new example: how it fits the model less well than an archive patch would (exampleCaveats); absent when nothing to say. */
  warnings?: string[]
}

/** The hash model to use: the one asked for, or the catalog's only model with codes. */
export function resolveHashModel(catalog: Catalog, model?: string): string {
  const models = hashModels(catalog.db).filter((m) => m.codes > 0)
  if (model !== undefined) {
    if (!models.some((m) => m.id === model)) {
      const known = models.map((m) => m.id).join(', ') || 'none'
      throw new Error(`no codes for model ${JSON.stringify(model)} in this catalog (models with codes: ${known})`)
    }
    return model
  }
  if (models.length === 0) {
    throw new Error('this catalog has no hash codes yet: compute them with a hash model first (earthqube index)')
  }
  if (models.length > 1) throw new Error(`this catalog has codes of several models (${models.map((m) => m.id).join(', ')}): choose one with --model`)
  return models[0]!.id
}

/**
 * Query by example over the catalog's hash codes: the patch's code → its neighbours in Hamming space
 * (HashIndex), optionally restricted to a catalog query's matches ("similar images in this area").
 */
export class SimilarityService {
  /** Per model: the loaded index and the version of the codes it holds (hash_models' creation time and generation). */
  private readonly indexes = new Map<string, { version: string; index: Promise<HashIndex> }>()

  constructor(
    private readonly catalog: Catalog,
    private readonly engine: SearchEngine,
    /** Where `similarToFile` finds the model that codes a new example. */
    private readonly models: ModelRegistry,
  ) {}

  /**
   * The hash index of a model's codes, loaded once and again when they change (another process indexed,
   * re-indexed with --replace or removed codes): the model's generation counts every change of its codes.
   */
  index(model: string): Promise<HashIndex> {
    const version = codesVersion(this.catalog.db, model)
    const cached = this.indexes.get(model)
    if (cached?.version === version) return cached.index
    if (cached) void cached.index.then((old) => old.close(), () => undefined)
    const index = Promise.resolve().then(() => {
      const { bits, ids, words } = loadCodes(this.catalog.db, model)
      return HashIndex.fromArrays(bits, ids, words)
    })
    this.indexes.set(model, { version, index })
    return index
  }

  /** Patches similar to an archive patch, nearest first (ties by id), itself included at distance 0. */
  async similarTo(name: string, mode: SimilarMode, options: { model?: string; filter?: unknown } = {}): Promise<SimilarResult> {
    const model = resolveHashModel(this.catalog, options.model)
    const index = await this.index(model)
    const id = this.catalog.patchId(name)
    const code = index.codeOf(id)
    if (!code) throw new Error(`patch ${name} has no code of model "${model}"`)
    return this.similarToCode(model, index, name, code, mode, options.filter)
  }

  /**
   * Query by new example: a GeoTIFF or patch folder the user brings → the model's code → the archive
   * patches nearest to it among the codes that model computed (codes are stored under the card's id).
   */
  async similarToFile(path: string, mode: SimilarMode, options: { model?: string; filter?: unknown } = {}): Promise<SimilarResult> {
    const encoder = await Encoder.open(this.models.resolve(options.model))
    try {
      const model = resolveHashModel(this.catalog, encoder.model.card.id)
      const stale = staleCodesMessage(this.catalog, model, encoder.model.sha256)
      if (stale) throw new Error(`${stale}, so they cannot be compared with this file's code; run \`earthqube index --replace\` to recompute them`)
      const image = await readExample(path, encoder.model.card)
      const [code] = await encoder.encode([image])
      const index = await this.index(model)
      const result = await this.similarToCode(model, index, image.name, code!, mode, options.filter)
      const warnings = exampleCaveats(image, encoder.model.card)
      return warnings.length > 0 ? { ...result, warnings } : result
    } finally {
      await encoder.close()
    }
  }

  private async similarToCode(
    model: string,
    index: HashIndex,
    query: string,
    code: Uint32Array | Uint8Array,
    mode: SimilarMode,
    filter: unknown,
  ): Promise<SimilarResult> {
    const allowed = filter === undefined ? undefined : this.engine.matchingIds(filter)
    const options = allowed ? { allowed } : {}
    const hits = 'k' in mode ? await index.knn(code, mode.k, options) : await index.radius(code, mode.radius, options)
    const names = this.catalog.patchNames(hits.map((h) => h.id))
    return { model, bits: index.bits, query, items: hits.map((h) => ({ name: names.get(h.id) ?? `#${h.id}`, distance: h.distance })) }
  }

  /** Releases the indexes' workers. */
  async close(): Promise<void> {
    for (const { index } of this.indexes.values()) (await index).close()
    this.indexes.clear()
  }
}
