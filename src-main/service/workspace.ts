import { Catalog } from '../catalog/catalog'
import { hashModels } from '../catalog/codes'
import type { ModelRegistry } from '../inference/modelRegistry'
import { SearchEngine } from '../search/engine'
import { SimilarityService, resolveHashModel } from '../similarity/similarityService'

/** An open catalog with what answers questions about it: the search engine and query by example. */
export class Workspace {
  private constructor(
    readonly catalog: Catalog,
    readonly engine: SearchEngine,
    readonly similarity: SimilarityService,
  ) {}

  /** Opens a catalog file for searching; a file that is not a catalog fails here, naming it. */
  static open(file: string, models: ModelRegistry, options: { mustExist?: boolean; readonly?: boolean } = { mustExist: true }): Workspace {
    const catalog = Catalog.open(file, options)
    try {
      const engine = new SearchEngine(catalog.db)
      return new Workspace(catalog, engine, new SimilarityService(catalog, engine, models))
    } catch (e) {
      catalog.close()
      throw e
    }
  }

  /**
   * Loads the hash index of the catalog's only model with codes in the background, so the first query by
   * example does not wait for it. Nothing happens when there are no codes, or codes of several models.
   */
  preloadHashIndex(): void {
    if (!hashModels(this.catalog.db).some((m) => m.codes > 0)) return
    try {
      this.similarity.index(resolveHashModel(this.catalog)).catch(() => undefined)
    } catch {
      // Several models and none chosen: each query names its model; nothing to preload.
    }
  }

  /** Releases the hash indexes' workers and closes the catalog. */
  async close(): Promise<void> {
    try {
      await this.similarity.close()
    } finally {
      this.catalog.close()
    }
  }
}
