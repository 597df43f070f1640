import { basename, resolve } from 'node:path'
import type { Catalog, PatchRecord } from '../catalog/catalog'
import { footprintOf, tileOrigin } from '../geo/utm'
import { describeUtmBox, inspectPatchFolder } from '../sentinel2/geotiff'
import type { NamedPatchFolder } from './patchFolders'
import { listPatchFolders } from './patchFolders'
import type { ImportOptions, ImportResult } from '../catalog/importRun'
import { ImportCancelledError, runImport } from '../catalog/importRun'
import { progressReporter } from '../common/progress'
import { parseRebenName } from './patchName'
import type { RebenRow } from './reben'
import { BIGEARTHNET_V2, openRebenFile, readRebenRows, rebenRecord } from './reben'

/** Options of a BigEarthNet v2 folder import. */
export interface ImportV2Options extends ImportOptions {
  /** reBEN metadata Parquet files that label the patches; without them, patches are unlabelled. */
  metadata?: string[]
}

/** A patch folder found under the import root, with its parsed name. */
type V2Folder = NamedPatchFolder

/** A metadata row and where it came from, for error messages. */
interface LocatedRow {
  row: RebenRow
  where: string
}

/** Lists and names the patch folders under `root`; a name that does not parse is an error naming the folder. */
function v2Folders(root: string): V2Folder[] {
  return listPatchFolders(root, parseRebenName, 'BigEarthNet-S2/<product>/<patch_id>/<patch_id>_B??.tif')
}

/** The metadata rows of the wanted patches; a patch absent from every file is an error naming its folder. */
async function metadataRows(paths: string[], folders: V2Folder[], options: ImportOptions): Promise<Map<string, LocatedRow>> {
  const files = []
  for (const p of paths) files.push(await openRebenFile(p))
  const wanted = new Set(folders.map((f) => f.name))
  const found = new Map<string, LocatedRow>()
  const report = progressReporter('read metadata', files.reduce((n, f) => n + f.rows, 0), options.onProgress)
  let scanned = 0
  for (const file of files) {
    let i = 0
    for await (const row of readRebenRows(file)) {
      if (wanted.has(row.patch_id) && !found.has(row.patch_id)) {
        found.set(row.patch_id, { row, where: `${basename(file.path)} row ${i}` })
      }
      i++
      scanned++
      if (scanned % 4096 === 0) {
        report(scanned)
        if (options.signal?.aborted) throw new ImportCancelledError()
      }
      // Stop reading once every folder has its row: the real metadata has 480k rows.
      if (found.size === wanted.size) break
    }
    if (found.size === wanted.size) break
  }
  report(scanned, true)
  const absent = folders.filter((f) => !found.has(f.name)).map((f) => f.path)
  if (absent.length > 0) {
    const list = absent.length <= 5 ? absent.join(', ') : `${absent.slice(0, 5).join(', ')} and ${absent.length - 5} more`
    throw new Error(
      `${absent.length === 1 ? 'patch folder' : `${absent.length} patch folders`} not in the reBEN metadata ` +
        `(${paths.join(', ')}): ${list}`,
    )
  }
  return found
}

/** One folder's catalog record: geometry from its GeoTIFFs, the rest from its metadata row when there is one. */
async function folderRecord(folder: V2Folder, located: LocatedRow | undefined): Promise<PatchRecord> {
  const patch = await inspectPatchFolder(folder.path)
  // The GeoTIFFs must lie in the UTM zone of the tile the name gives (a cheap check for misplaced files).
  const zoneEpsg = tileOrigin(folder.parsed.tile!).epsg
  if (patch.utm.epsg !== zoneEpsg) {
    throw new Error(
      `patch folder ${folder.path}: its GeoTIFFs cover ${describeUtmBox(patch.utm)}, ` +
        `but tile ${folder.parsed.tile} lies in EPSG:${zoneEpsg}`,
    )
  }
  const geometry = { utm: patch.utm, footprint: footprintOf(patch.utm), pixelsPath: folder.path }
  if (located) return { ...rebenRecord(located.row, located.where), ...geometry }
  return {
    name: folder.name,
    satellite: folder.parsed.satellite,
    acquiredAt: Date.parse(folder.parsed.datetime) / 1000,
    country: null,
    tile: folder.parsed.tile,
    labelsMask: null, // unknown: a patch already in the catalog keeps its labels
    split: null,
    snow: null,
    cloud: null,
    ...geometry,
  }
}

async function* folderRecords(
  folders: V2Folder[],
  rows: Map<string, LocatedRow> | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<PatchRecord> {
  for (const folder of folders) {
    // Each folder is 12 file reads: check for cancellation per patch, not only every few thousand.
    if (signal?.aborted) throw new ImportCancelledError()
    yield await folderRecord(folder, rows?.get(folder.name))
  }
}

/**
 * Imports BigEarthNet v2 patch folders (`<patch_id>/<patch_id>_B??.tif`) found at or below `folder`
 * (the BigEarthNet-S2 root, a product folder or one patch folder). Each patch's UTM box comes from its
 * GeoTIFFs, its pixels stay where they are (pixelsPath = the patch folder).
 * With `metadata`, labels, country, split, snow and cloud come from those reBEN Parquet rows, and a
 * folder absent from them is an error. Without it, a new patch gets no labels and a null country, split,
 * snow and cloud, while a patch already in the catalog (e.g. from reBEN metadata) keeps them and gains
 * its pixel location.
 */
export async function importV2(catalog: Catalog, folder: string, options: ImportV2Options = {}): Promise<ImportResult> {
  const root = resolve(folder)
  const folders = v2Folders(root)
  const metadata = options.metadata ?? []
  const rows = metadata.length > 0 ? await metadataRows(metadata, folders, options) : null
  return runImport(
    catalog,
    {
      kind: 'v2',
      source: metadata.length > 0 ? `${root} (metadata ${metadata.join(', ')})` : root,
      archive: BIGEARTHNET_V2,
      nomenclature: 'ben19',
      total: folders.length,
      records: folderRecords(folders, rows, options.signal),
    },
    options,
  )
}
