/**
 * The one kind of error a cancelled run throws (through its AbortSignal): callers tell a cancel from a
 * failure by `instanceof CancelledError`, whatever was cancelled. Subclasses say what was kept.
 */
export class CancelledError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CancelledError'
  }
}
