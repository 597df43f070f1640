import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet'
import type { AsyncBuffer, FileMetaData } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { basename } from 'node:path'
import { statSync } from 'node:fs'
import type { Catalog, PatchRecord } from '../catalog/catalog'
import { maskOf } from '../catalog/nomenclature'
import { footprintOf, patchUtmBox } from '../geo/utm'
import { parseRebenName } from './patchName'
import type { ImportOptions, ImportResult } from '../catalog/importRun'
import { runImport } from '../catalog/importRun'

/** Name of the archive reBEN metadata and BigEarthNet v2 folders are imported into. */
export const BIGEARTHNET_V2 = 'BigEarthNet v2'

/** Columns a reBEN metadata file must have. */
const REQUIRED_COLUMNS = ['patch_id', 'labels', 'country'] as const

/** One row of a reBEN metadata Parquet file, as far as the catalog uses it. */
export interface RebenRow {
  patch_id: string
  labels: string[]
  split?: string | null
  country: string
  contains_seasonal_snow?: boolean | null
  contains_cloud_or_shadow?: boolean | null
}

/** An opened, validated reBEN metadata file. */
export interface RebenFile {
  path: string
  buffer: AsyncBuffer
  metadata: FileMetaData
  rows: number
}

/** Opens a reBEN metadata Parquet file and checks its footer and columns; the error names the file. */
export async function openRebenFile(path: string): Promise<RebenFile> {
  let size: number
  try {
    const st = statSync(path)
    if (!st.isFile()) throw new Error('not a file')
    size = st.size
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as Error).message})`)
  }
  if (size < 12) throw new Error(`${path}: not a Parquet file (${size} bytes; too short for the PAR1 header and footer)`)
  const buffer = await asyncBufferFromFile(path)
  let metadata: FileMetaData
  try {
    metadata = await parquetMetadataAsync(buffer)
  } catch (e) {
    throw new Error(`${path}: not a readable Parquet file, perhaps truncated (${(e as Error).message})`)
  }
  const columns = parquetSchema(metadata).children.map((c) => c.element.name)
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c))
  if (missing.length > 0) {
    throw new Error(`${path}: not reBEN metadata: missing column(s) ${missing.join(', ')} (has ${columns.join(', ')})`)
  }
  return { path, buffer, metadata, rows: Number(metadata.num_rows) }
}

/** Reads a reBEN file's rows one row group at a time (bounded memory). */
export async function* readRebenRows(file: RebenFile): AsyncGenerator<RebenRow> {
  const wanted = ['patch_id', 'labels', 'split', 'country', 'contains_seasonal_snow', 'contains_cloud_or_shadow']
  const columns = parquetSchema(file.metadata).children.map((c) => c.element.name)
  let rowStart = 0
  for (const group of file.metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows)
    let rows: Record<string, unknown>[]
    try {
      rows = await parquetReadObjects({
        file: file.buffer,
        metadata: file.metadata,
        columns: wanted.filter((c) => columns.includes(c)),
        rowStart,
        rowEnd,
        compressors,
      })
    } catch (e) {
      throw new Error(`${file.path}: rows ${rowStart}–${rowEnd} cannot be read, perhaps truncated (${(e as Error).message})`)
    }
    for (const row of rows) yield row as unknown as RebenRow
    rowStart = rowEnd
  }
}

/** Turns one reBEN row into a catalog record; the error names the patch and the problem. */
export function rebenRecord(row: RebenRow, where: string): PatchRecord {
  if (typeof row.patch_id !== 'string') throw new Error(`${where}: patch_id is ${JSON.stringify(row.patch_id)}, expected a string`)
  const name = row.patch_id
  if (!Array.isArray(row.labels)) throw new Error(`${where}: patch ${name} has no label list`)
  let parsed: ReturnType<typeof parseRebenName>
  let labelsMask: number
  let utm: ReturnType<typeof patchUtmBox>
  try {
    parsed = parseRebenName(name)
    labelsMask = maskOf('ben19', row.labels)
    utm = patchUtmBox(parsed.tile!, parsed.x, parsed.y)
  } catch (e) {
    const message = (e as Error).message
    throw new Error(`${where}: ${message.includes(name) ? message : `patch ${name}: ${message}`}`)
  }
  return {
    name,
    satellite: parsed.satellite,
    acquiredAt: Date.parse(parsed.datetime) / 1000,
    country: typeof row.country === 'string' ? row.country : null,
    tile: parsed.tile,
    utm,
    footprint: footprintOf(utm),
    labelsMask,
    split: typeof row.split === 'string' ? row.split : null,
    snow: typeof row.contains_seasonal_snow === 'boolean' ? row.contains_seasonal_snow : null,
    cloud: typeof row.contains_cloud_or_shadow === 'boolean' ? row.contains_cloud_or_shadow : null,
    pixelsPath: null,
  }
}

async function* rebenRecords(files: RebenFile[]): AsyncGenerator<PatchRecord> {
  for (const file of files) {
    let i = 0
    for await (const row of readRebenRows(file)) {
      yield rebenRecord(row, `${basename(file.path)} row ${i}`)
      i++
    }
  }
}

/**
 * Imports reBEN metadata Parquet files (BigEarthNet v2, metadata only): footprints follow from each
 * patch_id by the BigEarthNet tile rule. All files go in one transaction.
 */
export async function importReben(catalog: Catalog, paths: string[], options: ImportOptions = {}): Promise<ImportResult> {
  if (paths.length === 0) throw new Error('import reben: give at least one Parquet file')
  const files: RebenFile[] = []
  for (const p of paths) files.push(await openRebenFile(p))
  return runImport(
    catalog,
    {
      kind: 'reben',
      source: paths.join(', '),
      archive: BIGEARTHNET_V2,
      nomenclature: 'ben19',
      total: files.reduce((n, f) => n + f.rows, 0),
      records: rebenRecords(files),
    },
    options,
  )
}
