import { describe, expect, it } from 'vitest'
import { parseRebenName, parseV1Name } from '../../../src-main/ingest/patchName'

describe('patch names', () => {
  it('parses a reBEN patch_id', () => {
    expect(parseRebenName('S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_75_43')).toEqual({
      satellite: 'S2A', datetime: '2017-06-13T10:10:31Z', orbit: 22, tile: '33UUP', x: 75, y: 43,
    })
  })

  it('rejects a patch_id that does not parse, saying what it expected', () => {
    expect(() => parseRebenName('S2C_MSIL2A_20170613T101031_N9999_R022_T33UUP_75_43')).toThrow(/does not parse: expected S2\{A\|B\}/)
    expect(() => parseRebenName('S2A_MSIL2A_20171313T101031_N9999_R022_T33UUP_75_43')).toThrow(/impossible acquisition time/)
  })

  it('parses v1 names, including those that drop a digit of the time', () => {
    expect(parseV1Name('S2A_MSIL2A_20170613T101031_87_48')).toMatchObject({ satellite: 'S2A', x: 87, y: 48, tile: null })
    expect(parseV1Name('S2B_MSIL2A_20180204T94161_57_38')).toMatchObject({ datetime: '2018-02-04T00:00:00Z', x: 57, y: 38 })
  })
})
