import type { Catalog } from '../catalog/catalog'
import type { ImportOptions, ImportResult } from '../catalog/importRun'
import { runImport } from '../catalog/importRun'
import { DEMO_ARCHIVE, DEMO_DEFAULT_N, DEMO_DEFAULT_SEED, checkDemoSeed, checkDemoSize, demoRecords } from './archive'

/** Which demo archive to build: its seed and number of patches. */
export interface DemoSpec {
  seed?: number
  n?: number
}

/**
 * Builds the simulated demo archive in a catalog (archive "EarthQube demo (simulated)", ben19 labels):
 * n patches (default 50,000, at most 549,488) from `seed` (default 42). Metadata only; each record's
 * pixels path `demo://<seed>/<index>` regenerates its simulated pixels on demand. One transaction, with
 * progress and cancel like every import.
 */
export async function importDemo(catalog: Catalog, spec: DemoSpec = {}, options: ImportOptions = {}): Promise<ImportResult> {
  const seed = checkDemoSeed(spec.seed ?? DEMO_DEFAULT_SEED)
  const n = checkDemoSize(spec.n ?? DEMO_DEFAULT_N)
  return runImport(
    catalog,
    {
      kind: 'demo',
      source: `simulated demo archive, seed ${seed}, ${n} patches`,
      archive: DEMO_ARCHIVE,
      nomenclature: 'ben19',
      total: n,
      records: demoRecords(seed, n),
    },
    options,
  )
}
