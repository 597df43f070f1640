import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Catalog } from '../src-main/catalog/catalog'
import { runImport } from '../src-main/catalog/importRun'
import type { RebenRow } from '../src-main/ingest/reben'
import { BIGEARTHNET_V2, rebenRecord } from '../src-main/ingest/reben'

/** Five reBEN patches over tile 33UUP (Austria), June 2017 to May 2018. */
export const FIXTURE_ROWS: readonly RebenRow[] = [
  { patch_id: 'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_26_57', labels: ['Coniferous forest', 'Pastures'], country: 'Austria' },
  { patch_id: 'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_26_58', labels: ['Pastures'], country: 'Austria' },
  { patch_id: 'S2B_MSIL2A_20170924T100019_N9999_R122_T33UUP_10_20', labels: ['Coniferous forest'], country: 'Austria' },
  { patch_id: 'S2B_MSIL2A_20180205T100139_N9999_R122_T33UUP_40_12', labels: ['Arable land'], country: 'Austria' },
  { patch_id: 'S2A_MSIL2A_20180521T100031_N9999_R122_T33UUP_41_12', labels: ['Urban fabric', 'Arable land'], country: 'Austria' },
]

/** A temporary folder, removed by `remove()`. */
export function makeTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Creates a catalog file holding FIXTURE_ROWS, imported the way `earthqube import reben` does. */
export async function createFixtureCatalog(file: string): Promise<void> {
  const catalog = Catalog.open(file)
  try {
    await runImport(catalog, {
      kind: 'reben',
      source: 'tests/main/fixtureCatalog.ts',
      archive: BIGEARTHNET_V2,
      nomenclature: 'ben19',
      total: FIXTURE_ROWS.length,
      records: FIXTURE_ROWS.map((row, i) => rebenRecord(row, `fixture row ${i}`)),
    })
  } finally {
    catalog.close()
  }
}
