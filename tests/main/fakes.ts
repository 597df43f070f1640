import type { EventTarget, InvokeEvent, IpcMainRegistry, SenderFrame } from '../../src-main/app/ipc'

// Fakes of the Electron objects the adapters take as parameters: enough to drive them under plain Node.

export type Handler = (event: InvokeEvent, ...args: unknown[]) => unknown

/** ipcMain as the adapter sees it: handlers by channel, invoked the way Electron does. */
export class FakeIpcMain implements IpcMainRegistry {
  readonly handlers = new Map<string, Handler>()
  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, listener)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  invoke(channel: string, event: InvokeEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel)
    if (!handler) throw new Error(`No handler registered for '${channel}'`)
    return Promise.resolve(handler(event, ...args))
  }
}

/** A frame at a URL, the top frame unless it has a parent. */
export function frameAt(url: string, parent: SenderFrame | null = null): SenderFrame {
  return { url, origin: new URL(url).origin, parent }
}

/** An invoke event from a frame (null: the frame is gone). */
export function eventFrom(frame: SenderFrame | null): InvokeEvent {
  return { senderFrame: frame }
}

/** A window's webContents as forwardEvents sees it: records what it was sent. */
export class FakeWebContents implements EventTarget {
  readonly sent: [string, unknown][] = []
  constructor(private readonly destroyed = false) {}
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, args[0]])
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
}
