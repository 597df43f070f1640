import nomenclatureData from '../../resources/clc-nomenclature.json'

/** The leaf nomenclatures an archive can be labelled in. */
export type NomenclatureId = 'clc43' | 'ben19'

export const NOMENCLATURE_IDS: readonly NomenclatureId[] = ['clc43', 'ben19']

/** One CORINE Land Cover Level-3 class. */
export interface ClcClass {
  code: string
  name: string
  color: readonly [number, number, number]
  /** Its name in the BigEarthNet 19-class nomenclature, or null where it has none. */
  ben19: string | null
}

/** A leaf label set: bit i of a label mask stands for labels[i]. */
export interface Nomenclature {
  id: NomenclatureId
  description: string
  labels: readonly string[]
}

/** Per nomenclature, the bits a label selection stands for. */
export interface LabelSelection {
  /** Union of the bits of every selected term (a number; masks stay below 2^53). */
  mask: number
  /** True when some term has no label at all in this nomenclature (e.g. CLC 122 in ben19). */
  hasUnmappedTerm: boolean
}

const level3: readonly ClcClass[] = nomenclatureData.level3.map((c) => ({
  code: c.code,
  name: c.name,
  color: [c.color[0] ?? 0, c.color[1] ?? 0, c.color[2] ?? 0] as const,
  ben19: c.ben19,
}))
const groupNames = new Map<string, string>([
  ...nomenclatureData.level1.map((g) => [g.code, g.name] as const),
  ...nomenclatureData.level2.map((g) => [g.code, g.name] as const),
])

const nomenclatures: Record<NomenclatureId, Nomenclature> = {
  clc43: { id: 'clc43', ...nomenclatureData.nomenclatures.clc43 },
  ben19: { id: 'ben19', ...nomenclatureData.nomenclatures.ben19 },
}

/** BigEarthNet v1 and the 19-class names spell one class differently; both are accepted. */
const SPELLING_ALIASES = new Map<string, string>([['transitional woodland, shrub', 'transitional woodland/shrub']])

function normalise(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase()
}

/** Lower-cased name → the CLC Level-3 codes it stands for (leaf, 19-class, Level-1/2 group names). */
const codesByName = new Map<string, string[]>()
function addName(name: string, code: string): void {
  const key = normalise(name)
  const codes = codesByName.get(key) ?? []
  if (!codes.includes(code)) codes.push(code)
  codesByName.set(key, codes)
}
for (const c of level3) {
  addName(c.name, c.code)
  if (c.ben19) addName(c.ben19, c.code)
}
for (const [alias, name] of SPELLING_ALIASES) {
  for (const code of codesByName.get(name) ?? []) addName(alias, code)
}
for (const [groupCode, name] of groupNames) {
  // A group name that is also a leaf name (e.g. "Pastures") already maps to the same codes.
  if (codesByName.has(normalise(name))) continue
  for (const c of level3) if (c.code.startsWith(groupCode)) addName(name, c.code)
}

const bitIndex: Record<NomenclatureId, Map<string, number>> = {
  clc43: new Map(nomenclatures.clc43.labels.map((l, i) => [normalise(l), i])),
  ben19: new Map(nomenclatures.ben19.labels.map((l, i) => [normalise(l), i])),
}
for (const [alias, name] of SPELLING_ALIASES) {
  for (const id of NOMENCLATURE_IDS) {
    const bit = bitIndex[id].get(name) ?? bitIndex[id].get(alias)
    if (bit !== undefined) {
      bitIndex[id].set(alias, bit)
      bitIndex[id].set(name, bit)
    }
  }
}

/** The nomenclature with this id. */
export function nomenclature(id: NomenclatureId): Nomenclature {
  return nomenclatures[id]
}

/** All CLC Level-3 classes, in code order. */
export function clcLevel3(): readonly ClcClass[] {
  return level3
}

/** Bit of a label name in a nomenclature, accepting either BigEarthNet spelling. */
export function labelBit(id: NomenclatureId, name: string): number | undefined {
  return bitIndex[id].get(normalise(name))
}

/** 2^bit as a number (masks hold up to 43 bits, beyond 32-bit bitwise operators). */
export function bitValue(bit: number): number {
  return 2 ** bit
}

/** Label mask of a list of names in a nomenclature; throws naming the first unknown label. */
export function maskOf(id: NomenclatureId, names: readonly string[]): number {
  let mask = 0
  for (const name of names) {
    const bit = labelBit(id, name)
    if (bit === undefined) {
      throw new Error(`unknown label "${name}" for the ${id} nomenclature (${nomenclatures[id].description})`)
    }
    const value = bitValue(bit)
    if (Math.floor(mask / value) % 2 === 0) mask += value
  }
  return mask
}

/** Bit indices set in a mask, ascending. */
export function bitsOf(mask: number): number[] {
  const bits: number[] = []
  const lo = mask % 0x1_0000_0000
  const hi = Math.floor(mask / 0x1_0000_0000)
  for (let i = 0; i < 32; i++) if ((lo >>> i) & 1) bits.push(i)
  for (let i = 0; i < 21; i++) if ((hi >>> i) & 1) bits.push(32 + i)
  return bits
}

/** Label names of a mask in a nomenclature. */
export function namesOf(id: NomenclatureId, mask: number): string[] {
  const labels = nomenclatures[id].labels
  return bitsOf(mask).map((b) => labels[b] ?? `#${b}`)
}

/**
 * The CLC Level-3 codes a query term stands for: a CLC code at any level ("3", "31", "311"),
 * a label name of either nomenclature, or a CLC group name. Throws a readable error otherwise.
 */
export function codesOfTerm(term: string): string[] {
  const t = term.trim()
  if (/^\d+$/.test(t)) {
    const codes = t.length <= 3 ? level3.filter((c) => c.code.startsWith(t)).map((c) => c.code) : []
    if (codes.length === 0) throw new Error(`unknown CLC code "${t}" (codes are 1 to 3 digits, e.g. "3", "31", "311")`)
    return codes
  }
  const codes = codesByName.get(normalise(t))
  if (!codes) throw new Error(`unknown label "${term}": not a BigEarthNet label name, CLC group name or CLC code`)
  return codes
}

/** Bits a set of CLC Level-3 codes stands for in a nomenclature (codes without a label there add nothing). */
function maskOfCodes(id: NomenclatureId, codes: readonly string[]): number {
  let mask = 0
  for (const code of codes) {
    const c = level3.find((x) => x.code === code)
    if (!c) continue
    const name = id === 'ben19' ? c.ben19 : c.name
    const bit = name === null ? undefined : labelBit(id, name)
    if (bit === undefined) continue
    const value = bitValue(bit)
    if (Math.floor(mask / value) % 2 === 0) mask += value
  }
  return mask
}

/** Resolves query terms to a mask per nomenclature. Throws on the first unknown term. */
export function resolveLabelTerms(terms: readonly string[]): Record<NomenclatureId, LabelSelection> {
  const out = {} as Record<NomenclatureId, LabelSelection>
  const termCodes = terms.map(codesOfTerm)
  for (const id of NOMENCLATURE_IDS) {
    let mask = 0
    let hasUnmappedTerm = false
    for (const codes of termCodes) {
      const m = maskOfCodes(id, codes)
      if (m === 0) hasUnmappedTerm = true
      mask = orMasks(mask, m)
    }
    out[id] = { mask, hasUnmappedTerm }
  }
  return out
}

/** Bitwise OR of two masks below 2^53. */
export function orMasks(a: number, b: number): number {
  const lo = ((a % 0x1_0000_0000) | (b % 0x1_0000_0000)) >>> 0
  const hi = (Math.floor(a / 0x1_0000_0000) | Math.floor(b / 0x1_0000_0000)) >>> 0
  return hi * 0x1_0000_0000 + lo
}
