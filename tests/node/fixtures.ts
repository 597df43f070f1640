import { parquetWriteBuffer } from 'hyparquet-writer'
import { writeFileSync } from 'node:fs'

/** A reBEN-like metadata row for fixture Parquet files. */
export interface FixtureRow {
  patch_id: string
  labels: string[]
  country: string
  split?: string
}

/** Writes fixture rows as a reBEN metadata Parquet file (hyparquet-writer), returns the path. */
export function writeRebenParquet(path: string, rows: FixtureRow[]): string {
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'patch_id', data: rows.map((r) => r.patch_id), type: 'STRING' },
      { name: 'labels', data: rows.map((r) => r.labels) },
      { name: 'split', data: rows.map((r) => r.split ?? 'train'), type: 'STRING' },
      { name: 'country', data: rows.map((r) => r.country), type: 'STRING' },
      { name: 'contains_seasonal_snow', data: rows.map(() => false), type: 'BOOLEAN' },
      { name: 'contains_cloud_or_shadow', data: rows.map(() => false), type: 'BOOLEAN' },
    ],
  })
  writeFileSync(path, Buffer.from(buf))
  return path
}

/** A small synthetic archive: a grid of patches over tile 33UUP (Austria) with varied labels and dates. */
export function syntheticRows(n = 200): FixtureRow[] {
  const labelSets = [
    ['Arable land'], ['Pastures', 'Arable land'], ['Coniferous forest'], ['Coniferous forest', 'Mixed forest'],
    ['Urban fabric', 'Industrial or commercial units'], ['Inland waters', 'Broad-leaved forest'],
  ]
  const dates = ['20170613T101031', '20170918T100019', '20171215T101411', '20180310T100019']
  const rows: FixtureRow[] = []
  for (let i = 0; i < n; i++) {
    const sat = i % 3 === 0 ? 'S2B' : 'S2A'
    const x = i % 20
    const y = Math.floor(i / 20)
    rows.push({
      patch_id: `${sat}_MSIL2A_${dates[i % dates.length]}_N9999_R022_T33UUP_${x}_${y}`,
      labels: labelSets[i % labelSets.length]!,
      country: i % 10 === 0 ? 'Switzerland' : 'Austria',
    })
  }
  return rows
}
