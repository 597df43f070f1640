import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Catalog } from '../../../src-main/catalog/catalog'
import { SHARED_DATA } from '../../sharedData'
import { retag, snapshot, writeUtmBand } from '../sentinel2/tiffFixtures'
import { namesOf } from '../../../src-main/catalog/nomenclature'
import { BIGEARTHNET_V1, importV1 } from '../../../src-main/ingest/bigearthnetV1'


const DATA = SHARED_DATA
const V1 = join(DATA, 'bigearthnet/v1')
if (!existsSync(V1)) console.warn(`BigEarthNet v1 import tests: ${V1} is absent; skipped`)

/** The first patch sorts before BAD, so a failure in BAD comes after GOOD was written: the rollback is real. */
const GOOD = 'S2A_MSIL2A_20170613T101031_87_48'
const BAD = 'S2B_MSIL2A_20180204T94161_57_38'
const KEEP = 'S2A_MSIL2A_20170617T113321_36_85'


/** Copies a real patch folder (as new, writable files) under `parent`. */
function copyPatch(name: string, parent: string): string {
  const dest = join(parent, name)
  mkdirSync(dest, { recursive: true })
  for (const f of readdirSync(join(V1, name))) writeFileSync(join(dest, f), readFileSync(join(V1, name, f)))
  return dest
}



describe.skipIf(!existsSync(V1))('BigEarthNet v1 import (real v1 folders in ../shared/data)', () => {
  let tmp: string
  let cases = 0
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'eq-v1-'))
  })
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true })
  })

  /** A fresh catalog and import root holding copies of GOOD and BAD, for one bad-input case. */
  function fixture(): { catalog: Catalog; root: string; bad: string; file: (suffix: string) => string } {
    const dir = join(tmp, `case${++cases}`)
    const root = join(dir, 'root')
    copyPatch(GOOD, root)
    const bad = copyPatch(BAD, root)
    return { catalog: Catalog.open(join(dir, 'x.db')), root, bad, file: (suffix) => join(bad, `${BAD}${suffix}`) }
  }

  /** Imports KEEP, then checks that importing `root` fails with `error` and changes nothing. */
  async function expectRejectedUnchanged(catalog: Catalog, root: string, error: string | RegExp): Promise<void> {
    await importV1(catalog, join(V1, KEEP))
    const before = snapshot(catalog)
    expect(catalog.count()).toBe(1)
    await expect(importV1(catalog, root)).rejects.toThrow(error)
    expect(catalog.count()).toBe(1)
    expect(snapshot(catalog)).toEqual(before)
    catalog.close()
  }

  it('imports the six real v1 patches with their labels, times, tiles and squares', async () => {
    const catalog = Catalog.open(join(tmp, 'all.db'))
    const result = await importV1(catalog, V1)
    expect(result).toMatchObject({ kind: 'v1', archive: BIGEARTHNET_V1, imported: 6 })
    expect(catalog.count()).toBe(6)
    expect(catalog.archives()).toEqual([{ id: 1, name: 'BigEarthNet v1', nomenclature: 'clc43' }])
    const row = (name: string): Record<string, unknown> =>
      catalog.db.prepare('SELECT * FROM patches WHERE name = ?').get(name) as Record<string, unknown>
    const good = row(GOOD)
    expect(good).toMatchObject({
      satellite: 'S2A',
      acquired_at: Date.UTC(2017, 5, 13, 10, 10, 31) / 1000,
      tile: '33UUP',
      country: null,
      split: null,
      snow: null,
      cloud: null,
      epsg: 32633,
      utm_west: 404400,
      utm_north: 5342400,
      utm_east: 405600,
      utm_south: 5341200,
      pixels_path: join(V1, GOOD),
    })
    expect(namesOf('clc43', good.labels_mask as number)).toEqual([
      'Non-irrigated arable land',
      'Land principally occupied by agriculture, with significant areas of natural vegetation',
    ])
    // The name says T94161; the JSON's acquisition_date has the real time.
    expect(row(BAD)).toMatchObject({ satellite: 'S2B', acquired_at: Date.UTC(2018, 1, 4, 9, 41, 56) / 1000, tile: '35VPK', epsg: 32635 })
    expect(namesOf('clc43', row('S2A_MSIL2A_20171221T112501_56_35').labels_mask as number)).toContain('Transitional woodland/shrub')
    expect(row('S2B_MSIL2A_20170924T93020_69_24')).toMatchObject({ utm_west: 682800, utm_north: 6971220 })
    // Importing again updates in place.
    await importV1(catalog, V1)
    expect(catalog.count()).toBe(6)
    expect(catalog.stats().imports.map((i) => [i.kind, i.patches])).toEqual([
      ['v1', 6],
      ['v1', 6],
    ])
    catalog.close()
  })

  it('imports a single patch folder given directly', async () => {
    const catalog = Catalog.open(join(tmp, 'one.db'))
    await importV1(catalog, join(V1, GOOD))
    expect(catalog.db.prepare('SELECT name FROM patches').pluck().all()).toEqual([GOOD])
    catalog.close()
  })

  it('rejects a band of the wrong size', async () => {
    const { catalog, root, file } = fixture()
    writeUtmBand(file('_B08.tif'), { size: 60, res: 20, west: 668400, north: 6954420, epsg: 32635 })
    await expectRejectedUnchanged(catalog, root, `${BAD}_B08.tif is 60×60, expected 120×120 (10 m band)`)
  })

  it('rejects a text file renamed .tif', async () => {
    const { catalog, root, file } = fixture()
    writeFileSync(file('_B02.tif'), 'this is not a TIFF\n')
    await expectRejectedUnchanged(catalog, root, `${BAD}_B02.tif is not a TIFF file (it starts with "this is "`)
  })

  it('rejects missing bands, naming them', async () => {
    const { catalog, root, bad, file } = fixture()
    unlinkSync(file('_B05.tif'))
    unlinkSync(file('_B8A.tif'))
    await expectRejectedUnchanged(catalog, root, `patch folder ${bad} lacks B05, B8A`)
  })

  it('rejects a folder name that does not parse', async () => {
    const { catalog, root } = fixture()
    const odd = join(root, 'odd_name')
    mkdirSync(odd)
    writeFileSync(join(odd, 'odd_name_B02.tif'), readFileSync(join(V1, GOOD, `${GOOD}_B02.tif`)))
    await expectRejectedUnchanged(catalog, root, `patch folder ${odd}: folder name "odd_name" does not parse`)
  })

  it('rejects the same patch in two folders', async () => {
    const { catalog, root } = fixture()
    const twin = copyPatch(GOOD, join(root, 'again'))
    await expectRejectedUnchanged(catalog, root, `patch ${GOOD} is in two folders: ${join(root, GOOD)} and ${twin}`)
  })

  it('rejects a missing labels JSON', async () => {
    const { catalog, root, bad, file } = fixture()
    unlinkSync(file('_labels_metadata.json'))
    await expectRejectedUnchanged(catalog, root, `patch folder ${bad} lacks its labels file ${BAD}_labels_metadata.json`)
  })

  it('rejects a labels JSON that is not JSON, or lacks fields', async () => {
    const { catalog, root, file } = fixture()
    writeFileSync(file('_labels_metadata.json'), '{"labels": [')
    await expectRejectedUnchanged(catalog, root, `${BAD}_labels_metadata.json is not valid JSON`)
    const second = fixture()
    const json = JSON.parse(readFileSync(second.file('_labels_metadata.json'), 'utf8')) as Record<string, unknown>
    delete json.tile_source
    json.coordinates = { ulx: '668400', uly: 6954420, lrx: 669600, lry: 6953220 }
    writeFileSync(second.file('_labels_metadata.json'), JSON.stringify(json))
    await expectRejectedUnchanged(
      second.catalog,
      second.root,
      new RegExp(`^${BAD}_labels_metadata\\.json is not BigEarthNet v1 labels metadata \\(coordinates\\.ulx: .*; tile_source: `),
    )
  })

  it('rejects an unknown label name', async () => {
    const { catalog, root, file } = fixture()
    const json = JSON.parse(readFileSync(file('_labels_metadata.json'), 'utf8')) as { labels: string[] }
    json.labels.push('Lunar regolith')
    writeFileSync(file('_labels_metadata.json'), JSON.stringify(json))
    await expectRejectedUnchanged(catalog, root, `${BAD}_labels_metadata.json: unknown label "Lunar regolith" for the clc43 nomenclature`)
  })

  it('rejects an acquisition_date that is not a time', async () => {
    const { catalog, root, file } = fixture()
    const json = JSON.parse(readFileSync(file('_labels_metadata.json'), 'utf8')) as Record<string, unknown>
    json.acquisition_date = '2018-02-30 09:41:56'
    writeFileSync(file('_labels_metadata.json'), JSON.stringify(json))
    await expectRejectedUnchanged(catalog, root, `${BAD}_labels_metadata.json: acquisition_date "2018-02-30 09:41:56" is not a time`)
  })

  it('rejects a band without georeference', async () => {
    const { catalog, root, file } = fixture()
    // Hide ModelPixelScale (33550) and ModelTiepoint (33922) of the real B04.
    writeFileSync(file('_B04.tif'), retag(retag(readFileSync(file('_B04.tif')), 33550, 65000), 33922, 65001))
    await expectRejectedUnchanged(catalog, root, new RegExp(`^${BAD}_B04\\.tif has no georeference`))
  })

  it('rejects bands of one patch that disagree on the georeference', async () => {
    const { catalog, root, file } = fixture()
    writeUtmBand(file('_B11.tif'), { size: 60, res: 20, west: 668420, north: 6954420, epsg: 32635 })
    await expectRejectedUnchanged(catalog, root, `${BAD}_B11.tif covers EPSG:32635 (668420, 6953220)–(669620, 6954420), but ${BAD}_B01.tif covers`)
  })

  it('rejects GeoTIFFs more than 1 m from the JSON coordinates, naming both', async () => {
    const { catalog, root, file } = fixture()
    const json = JSON.parse(readFileSync(file('_labels_metadata.json'), 'utf8')) as { coordinates: Record<string, number> }
    json.coordinates = { ulx: 668402, uly: 6954420, lrx: 669602, lry: 6953220 }
    writeFileSync(file('_labels_metadata.json'), JSON.stringify(json))
    await expectRejectedUnchanged(
      catalog,
      root,
      `its GeoTIFFs cover EPSG:32635 (668400, 6953220)–(669600, 6954420), but ${BAD}_labels_metadata.json gives ` +
        'EPSG:32635 (668402, 6953220)–(669602, 6954420) (more than 1 m apart)',
    )
  })

  it('accepts JSON coordinates within 1 m of the GeoTIFFs', async () => {
    const { catalog, root, file } = fixture()
    const json = JSON.parse(readFileSync(file('_labels_metadata.json'), 'utf8')) as { coordinates: Record<string, number> }
    json.coordinates = { ulx: 668400.5, uly: 6954420, lrx: 669600.5, lry: 6953220 }
    writeFileSync(file('_labels_metadata.json'), JSON.stringify(json))
    expect((await importV1(catalog, root)).imported).toBe(2)
    catalog.close()
  })

  it('rejects an empty folder', async () => {
    const { catalog } = fixture()
    const empty = join(tmp, 'empty')
    mkdirSync(join(empty, 'sub'), { recursive: true })
    await expectRejectedUnchanged(catalog, empty, `no patch folders found in ${empty}`)
  })
})
