import { cpus, totalmem } from 'node:os'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** p-th percentile (nearest rank) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[rank] ?? NaN
}

/** A Markdown table. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/** One line naming the machine, Node and the date of a run. */
export function machineLine(): string {
  const cpu = cpus()
  return `Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}. Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`
}

const DOC = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url))

/** Replaces (or appends) the section of docs/benchmarks.md between this benchmark's markers. */
export function recordBenchmark(id: string, title: string, body: string): void {
  const begin = `<!-- bench:${id} -->`
  const end = `<!-- /bench:${id} -->`
  const section = `${begin}\n## ${title}\n\n${body.trim()}\n${end}`
  let doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Benchmarks\n\nWritten by the `npm run bench:*` scripts; each section is replaced by its latest run.\n'
  const a = doc.indexOf(begin)
  const b = doc.indexOf(end)
  doc = a >= 0 && b > a ? doc.slice(0, a) + section + doc.slice(b + end.length) : `${doc.trimEnd()}\n\n${section}\n`
  writeFileSync(DOC, doc)
}
