import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Catalog } from '../../../src-main/catalog/catalog'
import { SHARED_DATA } from '../../sharedData'
import { retag, snapshot, writeUtmBand } from '../sentinel2/tiffFixtures'
import { namesOf } from '../../../src-main/catalog/nomenclature'
import type { ImportV2Options } from '../../../src-main/ingest/bigearthnetV2'
import { importV2 } from '../../../src-main/ingest/bigearthnetV2'
import { ImportCancelledError } from '../../../src-main/catalog/importRun'


const DATA = SHARED_DATA
const S2_ROOT = join(DATA, 'bigearthnet/BigEarthNet-S2')
const PRODUCT = join(S2_ROOT, 'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP')
const NAME = 'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_75_43'
const PATCH = join(PRODUCT, NAME)
const METADATA = join(DATA, 'bigearthnet/reben-metadata.parquet')
/** A patch beyond tile 33UUP's 100 km (99 × 1.2 km): in no metadata. It sorts after NAME. */
const ABSENT = 'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_99_99'
const hasData = existsSync(PATCH) && existsSync(METADATA)
if (!hasData) console.warn(`BigEarthNet v2 import tests: ${PATCH} or ${METADATA} is absent; skipped`)


/** Copies the real patch under `parent` as patch `name` (files renamed to match), as new writable files. */
function copyPatch(parent: string, name = NAME): string {
  const dest = join(parent, name)
  mkdirSync(dest, { recursive: true })
  for (const f of readdirSync(PATCH)) writeFileSync(join(dest, f.replace(NAME, name)), readFileSync(join(PATCH, f)))
  return dest
}



describe.skipIf(!hasData)('BigEarthNet v2 folder import (real patch and reBEN metadata in ../shared/data)', () => {
  let tmp: string
  let cases = 0
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'eq-v2-'))
  })
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true })
  })

  const row = (catalog: Catalog): Record<string, unknown> =>
    catalog.db.prepare('SELECT * FROM patches WHERE name = ?').get(NAME) as Record<string, unknown>

  /** A fresh catalog, and an import root holding the real patch and a copy BAD (sorting after it) to spoil. */
  function fixture(badName = 'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_76_43') {
    const dir = join(tmp, `case${++cases}`)
    const root = join(dir, 'BigEarthNet-S2', 'product')
    copyPatch(root)
    const bad = copyPatch(root, badName)
    return { catalog: Catalog.open(join(dir, 'x.db')), root, bad, file: (band: string) => join(bad, `${badName}_${band}.tif`) }
  }

  /** Imports the real patch, then checks that importing `root` fails with `error` and changes nothing. */
  async function expectRejectedUnchanged(catalog: Catalog, root: string, error: string | RegExp, options: ImportV2Options = {}): Promise<void> {
    await importV2(catalog, PATCH)
    const before = snapshot(catalog)
    expect(catalog.count()).toBe(1)
    await expect(importV2(catalog, root, options)).rejects.toThrow(error)
    expect(catalog.count()).toBe(1)
    expect(snapshot(catalog)).toEqual(before)
    catalog.close()
  }

  it('imports from the BigEarthNet-S2 root without metadata: GeoTIFF square, no labels, no country', async () => {
    const catalog = Catalog.open(join(tmp, 'plain.db'))
    const result = await importV2(catalog, S2_ROOT)
    expect(result).toMatchObject({ kind: 'v2', archive: 'BigEarthNet v2', imported: 1 })
    expect(catalog.archives()).toEqual([{ id: 1, name: 'BigEarthNet v2', nomenclature: 'ben19' }])
    expect(row(catalog)).toMatchObject({
      satellite: 'S2A',
      acquired_at: Date.UTC(2017, 5, 13, 10, 10, 31) / 1000,
      tile: '33UUP',
      country: null,
      labels_mask: 0,
      split: null,
      snow: null,
      cloud: null,
      epsg: 32633,
      utm_west: 390000,
      utm_north: 5348400,
      utm_east: 391200,
      utm_south: 5347200,
      pixels_path: PATCH,
    })
    catalog.close()
  })

  it('keeps the labels reBEN metadata gave a patch when its folder is imported without metadata', async () => {
    const catalog = Catalog.open(join(tmp, 'reben-then-folder.db'))
    await importV2(catalog, PATCH, { metadata: [METADATA] })
    const labelled = row(catalog)
    expect(labelled.labels_mask).not.toBe(0)
    await importV2(catalog, S2_ROOT)
    expect(row(catalog)).toMatchObject({ labels_mask: labelled.labels_mask, country: 'Austria', pixels_path: PATCH })
    catalog.close()
  })

  it('labels patches from the reBEN metadata, given a product folder', async () => {
    const catalog = Catalog.open(join(tmp, 'meta.db'))
    await importV2(catalog, PRODUCT, { metadata: [METADATA] })
    const r = row(catalog)
    expect(r).toMatchObject({ country: 'Austria', split: 'validation', snow: 0, cloud: 0, utm_west: 390000, utm_north: 5348400, pixels_path: PATCH })
    expect(namesOf('ben19', r.labels_mask as number).sort()).toEqual([
      'Arable land',
      'Land principally occupied by agriculture, with significant areas of natural vegetation',
      'Pastures',
    ])
    catalog.close()
  })

  it('imports a patch folder given directly, and again in place', async () => {
    const catalog = Catalog.open(join(tmp, 'one.db'))
    await importV2(catalog, PATCH)
    await importV2(catalog, PATCH)
    expect(catalog.db.prepare('SELECT name FROM patches').pluck().all()).toEqual([NAME])
    catalog.close()
  })

  it('rejects a patch folder absent from the metadata, naming it', async () => {
    const { catalog, root } = fixture(ABSENT)
    await expectRejectedUnchanged(catalog, root, `patch folder not in the reBEN metadata (${METADATA}): ${join(root, ABSENT)}`, {
      metadata: [METADATA],
    })
  })

  it('rejects a metadata file that is not Parquet', async () => {
    const { catalog, root } = fixture()
    const fake = join(root, '..', 'meta.parquet')
    writeFileSync(fake, 'patch_id,labels\nnot,parquet\n')
    await expectRejectedUnchanged(catalog, root, new RegExp(`^${fake}: not a readable Parquet file`), { metadata: [fake] })
  })

  it('rejects a band of the wrong size', async () => {
    const { catalog, root, file } = fixture()
    writeUtmBand(file('B08'), { size: 60, res: 20, west: 391200, north: 5348400 })
    await expectRejectedUnchanged(catalog, root, 'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_76_43_B08.tif is 60×60, expected 120×120 (10 m band)')
  })

  it('rejects a text file renamed .tif', async () => {
    const { catalog, root, file } = fixture()
    writeFileSync(file('B02'), 'GeoTIFF? no.')
    await expectRejectedUnchanged(catalog, root, 'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_76_43_B02.tif is not a TIFF file (it starts with "GeoTIFF?"')
  })

  it('rejects missing bands, naming them', async () => {
    const { catalog, root, bad, file } = fixture()
    unlinkSync(file('B01'))
    unlinkSync(file('B12'))
    await expectRejectedUnchanged(catalog, root, `patch folder ${bad} lacks B01, B12`)
  })

  it('rejects a folder name that is not a reBEN patch_id', async () => {
    const { catalog, root } = fixture('S2A_MSIL2A_20170613T101031_87_48')
    await expectRejectedUnchanged(
      catalog,
      root,
      `patch folder ${join(root, 'S2A_MSIL2A_20170613T101031_87_48')}: patch_id "S2A_MSIL2A_20170613T101031_87_48" does not parse`,
    )
  })

  it('rejects a band without georeference', async () => {
    const { catalog, root, file } = fixture()
    writeFileSync(file('B8A'), retag(retag(readFileSync(file('B8A')), 33550, 65000), 33922, 65001))
    await expectRejectedUnchanged(catalog, root, /_76_43_B8A\.tif has no georeference/)
  })

  it('rejects bands of one patch that disagree on the georeference', async () => {
    const { catalog, root, file } = fixture()
    writeUtmBand(file('B09'), { size: 20, res: 60, west: 390000, north: 5348460 })
    await expectRejectedUnchanged(catalog, root, /_76_43_B09\.tif covers EPSG:32633 \(390000, 5347260\)–\(391200, 5348460\), but .*_76_43_B01\.tif covers/)
  })

  it('rejects GeoTIFFs outside the UTM zone of the tile the name gives', async () => {
    const { catalog, root, bad } = fixture()
    for (const f of readdirSync(bad)) {
      const band = /_(B..)\.tif$/.exec(f)![1]!
      const res = { B01: 60, B09: 60, B05: 20, B06: 20, B07: 20, B8A: 20, B11: 20, B12: 20 }[band] ?? 10
      writeUtmBand(join(bad, f), { size: 1200 / res, res, west: 390000, north: 5348400, epsg: 32632 })
    }
    await expectRejectedUnchanged(catalog, root, `but tile 33UUP lies in EPSG:32633`)
  })

  it('rejects an empty folder', async () => {
    const { catalog } = fixture()
    const empty = join(tmp, 'empty')
    mkdirSync(join(empty, 'product'), { recursive: true })
    await expectRejectedUnchanged(catalog, empty, `no patch folders found in ${empty}`)
  })

  it('rejects a folder that does not exist', async () => {
    const { catalog } = fixture()
    await expectRejectedUnchanged(catalog, join(tmp, 'nowhere'), /^cannot read .*nowhere/)
  })

  it('leaves the catalog unchanged when cancelled', async () => {
    const { catalog, root } = fixture()
    const abort = new AbortController()
    abort.abort()
    await expectRejectedUnchanged(catalog, root, new ImportCancelledError().message, { signal: abort.signal })
  })
})
