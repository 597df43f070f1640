import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Catalog } from '../../../src-main/catalog/catalog'
import { patchUtmBox } from '../../../src-main/geo/utm'
import { importV2 } from '../../../src-main/ingest/bigearthnetV2'
import { readPatchImage } from '../../../src-main/sentinel2/geotiff'
import { DEMO_ARCHIVE, demoPatch } from '../../../src-main/demo/archive'
import { ExportCancelledError, exportDemo } from '../../../src-main/demo/export'
import { importDemo } from '../../../src-main/demo/importDemo'
import { demoPixels } from '../../../src-main/demo/pixels'

const N = 30

describe('demo export as BigEarthNet v2 folders', () => {
  let tmp: string
  let out: string
  let result: Awaited<ReturnType<typeof exportDemo>>
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'eq-demo-'))
    out = join(tmp, 'export')
    result = await exportDemo(42, N, out)
  })
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true })
  })

  it('writes BigEarthNet-S2/<product>/<patch_id>/<patch_id>_B??.tif, metadata.parquet and a README saying it is simulated', () => {
    expect(result).toMatchObject({ root: join(out, 'BigEarthNet-S2'), metadata: join(out, 'metadata.parquet'), patches: N })
    expect(readdirSync(out).sort()).toEqual(['BigEarthNet-S2', 'README.txt', 'metadata.parquet'])
    expect(readFileSync(join(out, 'README.txt'), 'utf8')).toMatch(/SIMULATED IMAGERY[\s\S]*not Sentinel-2 observations/)
    const p = demoPatch(42, 0)
    expect(readdirSync(join(result.root, p.product, p.name)).sort()).toEqual(
      ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B09', 'B11', 'B12', 'B8A'].map((b) => `${p.name}_${b}.tif`),
    )
    const tiff = readFileSync(join(result.root, p.product, p.name, `${p.name}_B02.tif`)).toString('latin1')
    expect(tiff).toContain('simulated Sentinel-2 L2A imagery')
  })

  it('imports with importV2 and the metadata file: labels, split, country and UTM squares as generated', async () => {
    const catalog = Catalog.open(':memory:')
    try {
      const r = await importV2(catalog, result.root, { metadata: [result.metadata] })
      expect(r.imported).toBe(N)
      const rows = catalog.db
        .prepare('SELECT name, labels_mask, split, country, snow, cloud, epsg, utm_west, utm_south, utm_east, utm_north, pixels_path FROM patches')
        .all() as Record<string, unknown>[]
      const byName = new Map(rows.map((row) => [row.name, row]))
      for (let i = 0; i < N; i++) {
        const p = demoPatch(42, i, N)
        const utm = patchUtmBox(p.tile, p.x, p.y)
        expect(byName.get(p.name)).toMatchObject({
          labels_mask: p.labelsMask,
          split: p.split,
          country: p.country,
          snow: Number(p.snow),
          cloud: 0,
          epsg: utm.epsg,
          utm_west: utm.west,
          utm_south: utm.south,
          utm_east: utm.east,
          utm_north: utm.north,
          pixels_path: join(result.root, p.product, p.name),
        })
      }
    } finally {
      catalog.close()
    }
  })

  it('writes the same pixels demoPixels generates', async () => {
    const p = demoPatch(42, 4)
    const image = await readPatchImage(join(result.root, p.product, p.name))
    const bands = demoPixels(42, 4)
    for (const [band, raster] of bands) {
      expect(Array.from(image.bands.get(band)!.data), band).toEqual(Array.from(raster.data))
    }
    expect(image.utm).toEqual(patchUtmBox(p.tile, p.x, p.y))
  })

  it('refuses a folder that is not empty, and removes what it wrote when cancelled', async () => {
    await expect(exportDemo(42, 2, out)).rejects.toThrow(/not empty/)
    const busy = join(tmp, 'busy')
    mkdirSync(busy)
    writeFileSync(join(busy, 'keep.txt'), 'mine')
    await expect(exportDemo(42, 2, busy)).rejects.toThrow(/keep\.txt/)
    expect(readFileSync(join(busy, 'keep.txt'), 'utf8')).toBe('mine')
    const cancelled = join(tmp, 'cancelled')
    const controller = new AbortController()
    const run = exportDemo(42, 500, cancelled, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done >= 1) controller.abort()
      },
    })
    await expect(run).rejects.toBeInstanceOf(ExportCancelledError)
    expect(existsSync(cancelled) ? readdirSync(cancelled) : []).toEqual([])
    await expect(exportDemo(42, 0, join(tmp, 'none'))).rejects.toThrow(/549,488/)
  })
})

describe('demo import into a catalog', () => {
  it('builds the simulated archive: n records with demo:// pixel paths, kind demo, ben19 labels', async () => {
    const catalog = Catalog.open(':memory:')
    try {
      const r = await importDemo(catalog, { seed: 42, n: 300 })
      expect(r).toMatchObject({ kind: 'demo', archive: DEMO_ARCHIVE, imported: 300 })
      expect(catalog.archives()).toEqual([expect.objectContaining({ name: 'EarthQube demo (simulated)', nomenclature: 'ben19' })])
      const paths = catalog.db.prepare('SELECT pixels_path FROM patches ORDER BY id').pluck().all() as string[]
      expect(paths).toHaveLength(300)
      expect(paths.every((p) => /^demo:\/\/42\/\d+$/.test(p))).toBe(true)
      const first = catalog.db.prepare('SELECT name, labels_mask FROM patches WHERE pixels_path = ?').get('demo://42/0')
      expect(first).toEqual({ name: demoPatch(42, 0).name, labels_mask: demoPatch(42, 0).labelsMask })
      await expect(importDemo(catalog, { n: 549_489 })).rejects.toThrow(/not a whole number from 1 to 549,488/)
    } finally {
      catalog.close()
    }
  })
})
