import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import type { Catalog, PatchRecord } from '../catalog/catalog'
import { maskOf } from '../catalog/nomenclature'
import type { UtmBox } from '../geo/utm'
import { footprintOf, tileOrigin } from '../geo/utm'
import { describeUtmBox, inspectPatchFolder, sameUtmBox } from '../sentinel2/geotiff'
import type { NamedPatchFolder } from './patchFolders'
import { listPatchFolders } from './patchFolders'
import type { ImportOptions, ImportResult } from '../catalog/importRun'
import { ImportCancelledError, runImport } from '../catalog/importRun'
import { parseV1Name } from './patchName'

/** Name of the archive BigEarthNet v1.0 folders are imported into (43-class CLC labels). */
export const BIGEARTHNET_V1 = 'BigEarthNet v1'

/** The GeoTIFFs and the labels JSON describe the same square; more than this apart is an error. */
const COORDINATE_TOLERANCE_M = 1

/** `<patch>_labels_metadata.json`, as far as the catalog uses it. */
const V1LabelsSchema = z.object({
  labels: z.array(z.string()),
  coordinates: z.object({ ulx: z.number(), uly: z.number(), lrx: z.number(), lry: z.number() }),
  projection: z.string().optional(),
  tile_source: z.string(),
  acquisition_date: z.string(),
})

/** What a v1 patch's labels JSON says, checked. */
interface V1Labels {
  labelsMask: number
  acquiredAt: number
  tile: string
  box: UtmBox
}

/** A v1 patch folder, its name and labels read before the import starts. */
interface V1Patch extends NamedPatchFolder {
  labels: V1Labels
}

/** "2017-06-13 10:10:31" (UTC) → seconds since 1970; null when it is not such a time. */
function parseAcquisitionDate(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})Z?$/.exec(text.trim())
  if (!m) return null
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number]
  const t = Date.UTC(y, mo - 1, d, h, mi, s)
  const back = new Date(t)
  // Date.UTC rolls 2017-02-30 over into March; an impossible date must not pass.
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null
  return t / 1000
}

/** Reads and checks a v1 labels JSON; every error names the file. */
function readV1Labels(folder: string, name: string): V1Labels {
  const file = `${name}_labels_metadata.json`
  let text: string
  try {
    text = readFileSync(join(folder, file), 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new Error(code === 'ENOENT' ? `patch folder ${folder} lacks its labels file ${file}` : `cannot read ${file} (${(e as Error).message})`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message})`)
  }
  const parsed = V1LabelsSchema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'top level'}: ${i.message}`)
    throw new Error(`${file} is not BigEarthNet v1 labels metadata (${issues.join('; ')})`)
  }
  const meta = parsed.data
  let labelsMask: number
  try {
    labelsMask = maskOf('clc43', meta.labels)
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`)
  }
  // Names like S2B_MSIL2A_20180204T94161_57_38 drop a digit of the time: the JSON has the true time.
  const acquiredAt = parseAcquisitionDate(meta.acquisition_date)
  if (acquiredAt === null) {
    throw new Error(`${file}: acquisition_date "${meta.acquisition_date}" is not a time like "2017-06-13 10:10:31"`)
  }
  const tile = /_T(\d{2}[C-HJ-NP-X][A-HJ-NP-Z]{2})_/.exec(meta.tile_source)?.[1]
  if (!tile) throw new Error(`${file}: tile_source "${meta.tile_source}" names no Sentinel-2 tile (like …_T33UUP_…)`)
  let epsg: number
  try {
    epsg = tileOrigin(tile).epsg
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`)
  }
  // The WKT ends with the CRS's own AUTHORITY["EPSG","326zz"]; it must agree with the tile's zone.
  const wktEpsg = meta.projection ? /AUTHORITY\["EPSG","(\d+)"\]\]\s*$/.exec(meta.projection)?.[1] : undefined
  if (wktEpsg !== undefined && Number(wktEpsg) !== epsg) {
    throw new Error(`${file}: projection is EPSG:${wktEpsg}, but tile ${tile} lies in EPSG:${epsg}`)
  }
  const c = meta.coordinates
  return { labelsMask, acquiredAt, tile, box: { epsg, west: c.ulx, north: c.uly, east: c.lrx, south: c.lry } }
}

/** Lists the v1 patch folders under `root` and reads their names and labels; nothing is written yet. */
function v1Patches(root: string): V1Patch[] {
  return listPatchFolders(root, parseV1Name, '<patch>/<patch>_B??.tif and <patch>_labels_metadata.json').map((folder) => ({
    ...folder,
    labels: readV1Labels(folder.path, folder.name),
  }))
}

/** One patch's record: the GeoTIFFs give the square, which must match the JSON's coordinates. */
async function v1Record(patch: V1Patch): Promise<PatchRecord> {
  const folder = await inspectPatchFolder(patch.path)
  const fromJson = patch.labels.box
  if (!sameUtmBox(folder.utm, fromJson, COORDINATE_TOLERANCE_M)) {
    throw new Error(
      `patch folder ${patch.path}: its GeoTIFFs cover ${describeUtmBox(folder.utm)}, but ` +
        `${patch.name}_labels_metadata.json gives ${describeUtmBox(fromJson)} (more than ${COORDINATE_TOLERANCE_M} m apart)`,
    )
  }
  return {
    name: patch.name,
    satellite: patch.parsed.satellite,
    acquiredAt: patch.labels.acquiredAt,
    country: null, // v1 does not say
    tile: patch.labels.tile,
    utm: folder.utm,
    footprint: footprintOf(folder.utm),
    labelsMask: patch.labels.labelsMask,
    split: null,
    snow: null,
    cloud: null,
    pixelsPath: patch.path,
  }
}

async function* v1Records(patches: V1Patch[], signal: AbortSignal | undefined): AsyncGenerator<PatchRecord> {
  for (const patch of patches) {
    if (signal?.aborted) throw new ImportCancelledError()
    yield await v1Record(patch)
  }
}

/**
 * Imports BigEarthNet v1.0 patch folders (`<patch>/<patch>_B??.tif` + `<patch>_labels_metadata.json`):
 * `folder` is one patch folder or a folder of them. Labels are the JSON's 43 CLC classes, the time its
 * acquisition_date (UTC), the tile its tile_source, the square the GeoTIFFs' georeference (checked
 * against the JSON's coordinates). v1 has no country. Names and labels are all checked before writing.
 */
export async function importV1(catalog: Catalog, folder: string, options: ImportOptions = {}): Promise<ImportResult> {
  const root = resolve(folder)
  const patches = v1Patches(root)
  return runImport(
    catalog,
    {
      kind: 'v1',
      source: root,
      archive: BIGEARTHNET_V1,
      nomenclature: 'clc43',
      total: patches.length,
      records: v1Records(patches, options.signal),
    },
    options,
  )
}
