import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeArrayBuffer } from 'geotiff'
import type { BandName } from '../../../src-main/sentinel2/bands'
import { SHARED_DATA } from '../../sharedData'
import { retag } from './tiffFixtures'
import { BAND_RESOLUTION_M, BIGEARTHNET_BANDS, EUROSAT_BANDS } from '../../../src-main/sentinel2/bands'
import { findPatchFolders } from '../../../src-main/sentinel2/patchFolders'
import { inspectPatchFolder, readBandFile, readPatchImage } from '../../../src-main/sentinel2/geotiff'
import { patchUtmBox } from '../../../src-main/geo/utm'


const DATA = SHARED_DATA
const hasData = existsSync(DATA)
if (!hasData) console.warn(`geotiff tests: ${DATA} is absent; the tests on real BigEarthNet/EuroSAT files are skipped`)

const V2_NAME = 'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_75_43'
const V2_PATCH = join(DATA, 'bigearthnet/BigEarthNet-S2/S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP', V2_NAME)
const EUROSAT = join(DATA, 'eurosat/AnnualCrop_1.tif')

interface BandOptions {
  size?: number
  res?: number
  west?: number
  north?: number
  epsg?: number | null
  data?: Uint16Array | Float32Array
}

/** Writes a small georeferenced single-band GeoTIFF as BigEarthNet would (UInt16, UTM 33N by default). */
function writeBand(path: string, band: BandName, o: BandOptions = {}): void {
  const res = o.res ?? BAND_RESOLUTION_M[band]
  const size = o.size ?? 1200 / res
  const geo = o.epsg === null ? {} : { ProjectedCSTypeGeoKey: o.epsg ?? 32633, GTModelTypeGeoKey: 1, GTRasterTypeGeoKey: 1 }
  const buf = writeArrayBuffer(o.data ?? new Uint16Array(size * size).fill(1000), {
    width: size,
    height: size,
    ModelPixelScale: [res, res, 0],
    ModelTiepoint: [0, 0, 0, o.west ?? 390000, o.north ?? 5348400, 0],
    ...geo,
  })
  writeFileSync(path, new Uint8Array(buf))
}


/** Writes a complete synthetic patch folder and returns its path. */
function writePatch(parent: string, name: string, skip: BandName[] = []): string {
  const folder = join(parent, name)
  mkdirSync(folder, { recursive: true })
  for (const band of BIGEARTHNET_BANDS) if (!skip.includes(band)) writeBand(join(folder, `${name}_${band}.tif`), band)
  return folder
}

let tmp: string
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'eq-geotiff-'))
})
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true })
})

describe('band files', () => {
  it('reads a valid band file: size, pixel size and UTM box', async () => {
    const path = join(tmp, 'X_B05.tif')
    writeBand(path, 'B05', { west: 404400, north: 5342400 })
    const info = await readBandFile(path, 'B05')
    expect(info).toMatchObject({ band: 'B05', width: 60, height: 60 })
    expect(info.georef).toEqual({
      utm: { epsg: 32633, west: 404400, south: 5341200, east: 405600, north: 5342400 },
      pixelWidth: 20,
      pixelHeight: 20,
    })
  })

  it('rejects a text file renamed .tif, naming the file', async () => {
    const path = join(tmp, 'P_B02.tif')
    writeFileSync(path, 'hello world, not an image\n')
    await expect(readBandFile(path, 'B02')).rejects.toThrow(/^P_B02\.tif is not a TIFF file \(it starts with "hello wo"/)
    writeFileSync(path, '')
    await expect(readBandFile(path, 'B02')).rejects.toThrow('P_B02.tif is not a TIFF file (it is empty)')
  })

  it('rejects a truncated TIFF as damaged', async () => {
    const path = join(tmp, 'T_B02.tif')
    writeBand(path, 'B02')
    writeFileSync(path, readFileSync(path).subarray(0, 20))
    await expect(readBandFile(path, 'B02')).rejects.toThrow(/^T_B02\.tif is a damaged TIFF file/)
  })

  it('rejects a band of the wrong size, saying what the band should be', async () => {
    const path = join(tmp, 'S2A_X_B08.tif')
    writeBand(path, 'B08', { size: 60, res: 20 })
    await expect(readBandFile(path, 'B08')).rejects.toThrow('S2A_X_B08.tif is 60×60, expected 120×120 (10 m band)')
    writeBand(path, 'B08', { size: 120, res: 20 })
    await expect(readBandFile(path, 'B08')).rejects.toThrow('S2A_X_B08.tif has 20×20 m pixels, expected 10 m (B08 is a 10 m band)')
  })

  it('rejects pixels that are not UInt16', async () => {
    const path = join(tmp, 'F_B01.tif')
    writeBand(path, 'B01', { data: new Float32Array(400) })
    await expect(readBandFile(path, 'B01')).rejects.toThrow('F_B01.tif holds Float32 pixels, expected UInt16')
  })

  it('rejects a missing georeference', async () => {
    const path = join(tmp, 'G_B02.tif')
    writeBand(path, 'B02')
    // Hide ModelPixelScale (33550) and ModelTiepoint (33922) under unused private tag numbers.
    writeFileSync(path, retag(retag(readFileSync(path), 33550, 65000), 33922, 65001))
    await expect(readBandFile(path, 'B02')).rejects.toThrow(/^G_B02\.tif has no georeference/)
  })

  it('rejects coordinates that are not WGS 84 / UTM', async () => {
    const path = join(tmp, 'C_B02.tif')
    writeBand(path, 'B02', { epsg: null }) // the writer then stores geographic EPSG:4326
    await expect(readBandFile(path, 'B02')).rejects.toThrow('C_B02.tif is in geographic coordinates (EPSG:4326)')
    writeBand(path, 'B02', { epsg: 3035 })
    await expect(readBandFile(path, 'B02')).rejects.toThrow('C_B02.tif is in EPSG:3035, expected WGS 84 / UTM')
  })
})

describe('patch folders', () => {
  const NAME = 'S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_75_43'

  it('accepts a complete synthetic patch and reports its box', async () => {
    const folder = writePatch(join(tmp, 'ok'), NAME)
    const patch = await inspectPatchFolder(folder)
    expect(patch.name).toBe(NAME)
    expect([...patch.bandFiles.keys()].sort()).toEqual([...BIGEARTHNET_BANDS].sort())
    expect(patch.utm).toEqual({ epsg: 32633, west: 390000, south: 5347200, east: 391200, north: 5348400 })
  })

  it('names the missing bands', async () => {
    const folder = writePatch(join(tmp, 'missing'), NAME, ['B05', 'B8A'])
    await expect(inspectPatchFolder(folder)).rejects.toThrow(`patch folder ${folder} lacks B05, B8A`)
  })

  it('rejects a folder without band files', async () => {
    const folder = join(tmp, 'nobands', NAME)
    mkdirSync(folder, { recursive: true })
    await expect(inspectPatchFolder(folder)).rejects.toThrow(`patch folder ${folder} has no band files`)
  })

  it('rejects a band file named for another patch', async () => {
    const folder = writePatch(join(tmp, 'stray'), NAME)
    writeBand(join(folder, 'OTHER_B02.tif'), 'B02')
    await expect(inspectPatchFolder(folder)).rejects.toThrow(`holds OTHER_B02.tif, a band file of another patch`)
  })

  it('rejects bands that disagree on the georeference, naming both files', async () => {
    const folder = writePatch(join(tmp, 'shifted'), NAME)
    writeBand(join(folder, `${NAME}_B11.tif`), 'B11', { west: 390020 })
    await expect(inspectPatchFolder(folder)).rejects.toThrow(
      `${NAME}_B11.tif covers EPSG:32633 (390020, 5347200)–(391220, 5348400), but ${NAME}_B01.tif covers ` +
        'EPSG:32633 (390000, 5347200)–(391200, 5348400): the bands of one patch disagree on their georeference',
    )
  })

  it('finds patch folders below a root, sorted, and nothing in an empty folder', () => {
    const root = join(tmp, 'tree')
    writePatch(join(root, 'productB'), 'P2')
    writePatch(join(root, 'productA'), 'P1')
    mkdirSync(join(root, 'empty'))
    expect(findPatchFolders(root)).toEqual([join(root, 'productA', 'P1'), join(root, 'productB', 'P2')])
    expect(findPatchFolders(join(root, 'empty'))).toEqual([])
    expect(() => findPatchFolders(join(root, 'nope'))).toThrow(/^cannot read .*nope/)
  })
})

describe('multi-band example images', () => {
  /** A 4×4 UInt16 file with `bands` samples; sample i holds the value 100·(i+1). */
  function writeMultiband(path: string, bands: number, descriptions?: string[]): void {
    const data = new Uint16Array(16 * bands)
    for (let p = 0; p < 16; p++) for (let b = 0; b < bands; b++) data[p * bands + b] = 100 * (b + 1)
    const xml = descriptions
      ? `<GDALMetadata>${descriptions.map((d, i) => `<Item name="DESCRIPTION" sample="${i}" role="description">${d}</Item>`).join('')}</GDALMetadata>`
      : undefined
    const buf = writeArrayBuffer(data, {
      width: 4,
      height: 4,
      SamplesPerPixel: bands,
      ModelPixelScale: [10, 10, 0],
      ModelTiepoint: [0, 0, 0, 500000, 5000000, 0],
      ProjectedCSTypeGeoKey: 32632,
      GTModelTypeGeoKey: 1,
      GTRasterTypeGeoKey: 1,
      ...(xml ? { ImageDescription: xml } : {}),
    })
    // The writer knows no GDAL_METADATA tag: write the XML as ImageDescription (270), then renumber it 42112.
    writeFileSync(path, xml ? retag(new Uint8Array(buf), 270, 42112) : new Uint8Array(buf))
  }

  it('maps bands by their GDAL descriptions, in any order', async () => {
    const path = join(tmp, 'rgb.tif')
    writeMultiband(path, 3, ['B04', 'B3', 'b02 (blue)'])
    const image = await readPatchImage(path)
    expect(image.kind).toBe('multiband')
    expect(image.name).toBe('rgb')
    expect(image.bandNames).toEqual(['B02', 'B03', 'B04'])
    expect(image.bands.get('B04')?.data[0]).toBe(100)
    expect(image.bands.get('B02')?.data[0]).toBe(300)
    expect(image.utm).toEqual({ epsg: 32632, west: 500000, south: 4999960, east: 500040, north: 5000000 })
  })

  it('maps 12 undescribed bands in BigEarthNet order', async () => {
    const path = join(tmp, 'twelve.tif')
    writeMultiband(path, 12)
    const image = await readPatchImage(path)
    expect(image.bandNames).toEqual(BIGEARTHNET_BANDS)
    expect(image.bands.get('B8A')?.data[0]).toBe(900)
    expect(image.bands.get('B12')?.data[0]).toBe(1200)
  })

  it('rejects a band count it cannot map', async () => {
    const path = join(tmp, 'five.tif')
    writeMultiband(path, 5)
    await expect(readPatchImage(path)).rejects.toThrow(/^five\.tif has 5 bands; expected 13 \(EuroSAT order/)
  })

  it('says a missing path cannot be read', async () => {
    await expect(readPatchImage(join(tmp, 'absent.tif'))).rejects.toThrow(/^cannot read .*absent\.tif/)
  })
})

describe.skipIf(!hasData)('real BigEarthNet and EuroSAT files (../shared/data)', () => {
  it('reads the v2 patch 75_43 with its georeference at the BigEarthNet tile rule', async () => {
    const patch = await inspectPatchFolder(V2_PATCH)
    expect(patch.utm).toEqual({ epsg: 32633, west: 390000, south: 5347200, east: 391200, north: 5348400 })
    expect(patch.utm).toEqual(patchUtmBox('33UUP', 75, 43))
  })

  it('decodes all 12 bands of a BigEarthNet patch folder at their resolutions', async () => {
    const image = await readPatchImage(V2_PATCH)
    expect(image.kind).toBe('bigearthnet-folder')
    expect(image.name).toBe(V2_NAME)
    expect(image.bandNames).toEqual(BIGEARTHNET_BANDS)
    const b02 = image.bands.get('B02')!
    expect(b02).toMatchObject({ width: 120, height: 120, resolution: 10 })
    expect(b02.data).toBeInstanceOf(Uint16Array)
    expect([b02.data[0], b02.data[14399]]).toEqual([442, 160])
    expect(image.bands.get('B8A')).toMatchObject({ width: 60, height: 60, resolution: 20 })
    expect(image.bands.get('B09')).toMatchObject({ width: 20, height: 20, resolution: 60 })
    expect(image.bands.get('B09')?.data[0]).toBe(4554)
    // South-west corner of the footprint, in Upper Austria.
    expect(image.footprint[0]![0]).toBeCloseTo(13.5177, 3)
    expect(image.footprint[0]![1]).toBeCloseTo(48.2684, 3)
  })

  it('reads a 13-band EuroSAT file, B8A being its last band', async () => {
    const image = await readPatchImage(EUROSAT)
    expect(image.kind).toBe('multiband')
    expect(image.bandNames).toHaveLength(13)
    expect(image.bands.get('B02')).toMatchObject({ width: 64, height: 64 })
    expect(image.bands.get('B02')!.resolution).toBeCloseTo(10.0057, 3)
    expect(image.utm.epsg).toBe(32635)
    expect(image.utm.west).toBeCloseTo(624602.23, 1)
    expect(image.utm.north).toBeCloseTo(4877286.03, 1)
    // B8A (865 nm) tracks B08 (842 nm); B10 (cirrus) is near zero. Reading B8A 9th would swap in B09.
    const mean = (a: ArrayLike<number>): number => {
      let sum = 0
      for (let i = 0; i < a.length; i++) sum += a[i]!
      return sum / a.length
    }
    const b08 = image.bands.get('B08')!.data
    const b8a = image.bands.get('B8A')!.data
    expect(Math.abs(mean(b8a) - mean(b08)) / mean(b08)).toBeLessThan(0.25)
    expect(mean(image.bands.get('B10')!.data)).toBeLessThan(50)
    expect(EUROSAT_BANDS[12]).toBe('B8A')
  })

  it('names the band file and the problem when one real band is replaced by text', async () => {
    const folder = join(tmp, 'real', V2_NAME)
    mkdirSync(folder, { recursive: true })
    for (const band of BIGEARTHNET_BANDS) {
      writeFileSync(join(folder, `${V2_NAME}_${band}.tif`), readFileSync(join(V2_PATCH, `${V2_NAME}_${band}.tif`)))
    }
    writeFileSync(join(folder, `${V2_NAME}_B02.tif`), 'not a tiff')
    await expect(readPatchImage(folder)).rejects.toThrow(`${V2_NAME}_B02.tif is not a TIFF file (it starts with "not a ti"`)
  })

  it('finds the one v2 patch under the BigEarthNet-S2 root and the six v1 patches', () => {
    const v2 = findPatchFolders(join(DATA, 'bigearthnet/BigEarthNet-S2'))
    expect(v2).toEqual([V2_PATCH])
    expect(findPatchFolders(join(DATA, 'bigearthnet/v1'))).toHaveLength(6)
  })
})
