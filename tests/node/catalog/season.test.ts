import { describe, expect, it } from 'vitest'
import { seasonCode, seasonOf } from '../../../src-main/catalog/season'
import { SEASON_NAMES } from '../../../src-main/contract/query'

describe('seasons (meteorological, northern hemisphere)', () => {
  it.each([
    ['2017-12-01T00:00:00Z', 'winter'], ['2018-02-28T23:59:59Z', 'winter'], ['2018-03-01T00:00:00Z', 'spring'],
    ['2017-06-13T10:10:31Z', 'summer'], ['2017-09-24T09:30:20Z', 'autumn'], ['2017-11-30T23:59:59Z', 'autumn'],
  ])('%s is %s', (iso, season) => {
    expect(seasonOf(Date.parse(iso) / 1000)).toBe(season)
  })
})

describe('season codes', () => {
  it('stores each season as its index in the query language\'s one list, which search decodes', () => {
    for (const [i, name] of SEASON_NAMES.entries()) expect(seasonCode(name)).toBe(i)
    expect(SEASON_NAMES[seasonCode(seasonOf(Date.parse('2018-01-15T00:00:00Z') / 1000))]).toBe('winter')
  })
})
