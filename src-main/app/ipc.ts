import type { IpcMain, IpcMainInvokeEvent } from 'electron'
import type { IpcResult } from '../contract/ipc'
import { IPC_CALL_NAMES, fail } from '../contract/ipc'
import type { RendererLocation } from './rendererLocation'
import { isRendererUrl } from './rendererLocation'
import type { AppService } from './service'

/** The part of an invoke event the adapter reads. */
export type InvokeEvent = Pick<IpcMainInvokeEvent, 'senderFrame'>
/** The part of ipcMain the adapter uses; Electron's ipcMain fits it and tests pass a fake. */
export interface IpcMainRegistry {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>): void
  removeHandler: IpcMain['removeHandler']
}

/**
 * Registers one ipcMain handler per contract call. Each checks that the message comes from our
 * renderer's top frame (never an iframe, a navigated-away page or another origin) before handing the
 * single payload argument to the service. Returns a function removing the handlers.
 */
export function registerIpcHandlers(
  ipcMain: IpcMainRegistry,
  service: Pick<AppService, 'handle'>,
  renderer: RendererLocation,
  warn: (message: string) => void = console.warn,
): () => void {
  for (const name of IPC_CALL_NAMES) {
    ipcMain.handle(name, (event: InvokeEvent, ...args: unknown[]): Promise<IpcResult<unknown>> => {
      const frame = event.senderFrame
      if (!frame || frame.parent !== null || !isRendererUrl(frame.url, renderer)) {
        const from = frame ? `${frame.parent ? 'a subframe at ' : ''}${frame.url}` : 'a destroyed frame'
        warn(`refused IPC call ${name} from ${from}`)
        return Promise.resolve(fail(`${name} refused: the call did not come from the EarthQube window`))
      }
      if (args.length > 1) return Promise.resolve(fail(`${name} takes at most one argument, got ${args.length}`))
      return service.handle(name, args[0])
    })
  }
  return () => {
    for (const name of IPC_CALL_NAMES) ipcMain.removeHandler(name)
  }
}
