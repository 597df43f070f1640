import { describe, expect, it } from 'vitest'
import { bitsOf, codesOfTerm, maskOf, namesOf, nomenclature, orMasks, resolveLabelTerms } from '../../../src-main/catalog/nomenclature'

describe('nomenclature', () => {
  it('has 43 v1 leaf classes and the 19 BigEarthNet classes', () => {
    expect(nomenclature('clc43').labels).toHaveLength(43)
    expect(nomenclature('ben19').labels).toHaveLength(19)
    expect(nomenclature('ben19').labels[0]).toBe('Urban fabric')
    expect(nomenclature('clc43').labels).not.toContain('Glaciers and perpetual snow')
  })

  it('round-trips label names through masks, including bits above 32', () => {
    const names = ['Sea and ocean', 'Continuous urban fabric', 'Peatbogs']
    const mask = maskOf('clc43', names)
    expect(mask).toBeGreaterThan(2 ** 32)
    expect(namesOf('clc43', mask).sort()).toEqual([...names].sort())
    expect(bitsOf(mask)).toEqual([0, 34, 42])
  })

  it('accepts both spellings of transitional woodland in each nomenclature', () => {
    expect(maskOf('clc43', ['Transitional woodland, shrub'])).toBe(maskOf('clc43', ['Transitional woodland/shrub']))
    expect(maskOf('ben19', ['Transitional woodland/shrub'])).toBe(maskOf('ben19', ['Transitional woodland, shrub']))
  })

  it('names the unknown label', () => {
    expect(() => maskOf('ben19', ['Arable land', 'Moon dust'])).toThrow(/unknown label "Moon dust"/)
  })

  it('expands CLC codes at every level to their leaves', () => {
    expect(codesOfTerm('3')).toHaveLength(12) // 311–313, 321–324, 331–335
    expect(codesOfTerm('31')).toEqual(['311', '312', '313'])
    expect(codesOfTerm('311')).toEqual(['311'])
    expect(codesOfTerm('Forests')).toEqual(['311', '312', '313'])
    expect(codesOfTerm('Urban fabric')).toEqual(['111', '112'])
    expect(() => codesOfTerm('39')).toThrow(/unknown CLC code "39"/)
    expect(() => codesOfTerm("x'; DROP TABLE patches; --")).toThrow(/unknown label "x'; DROP TABLE patches; --"/)
  })

  it('resolves a group to each nomenclature, flagging terms with no label there', () => {
    const r = resolveLabelTerms(['31'])
    expect(namesOf('ben19', r.ben19.mask)).toEqual(['Broad-leaved forest', 'Coniferous forest', 'Mixed forest'])
    expect(namesOf('clc43', r.clc43.mask)).toEqual(['Broad-leaved forest', 'Coniferous forest', 'Mixed forest'])
    const roads = resolveLabelTerms(['122'])
    expect(roads.ben19).toEqual({ mask: 0, hasUnmappedTerm: true })
    expect(namesOf('clc43', roads.clc43.mask)).toEqual(['Road and rail networks and associated land'])
  })

  it('ors masks wider than 32 bits', () => {
    expect(orMasks(2 ** 40, 1)).toBe(2 ** 40 + 1)
    expect(orMasks(2 ** 40 + 3, 2 ** 40 + 6)).toBe(2 ** 40 + 7)
  })
})
