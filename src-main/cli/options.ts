import { Option } from 'commander'

/** The mandatory `--db <file>` option. */
export function dbOption(): Option {
  return new Option('--db <file>', 'catalog file (SQLite)').makeOptionMandatory()
}

/** A whole number given on the command line, or an error naming the option. */
export function parseCount(text: string, what: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new Error(`${what} must be a whole number, not ${JSON.stringify(text)}`)
  return Number(text)
}

/** JSON given on the command line, or an error naming the option. */
export function parseJsonOption(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new Error(`${what} is not valid JSON: ${(e as Error).message}`)
  }
}
