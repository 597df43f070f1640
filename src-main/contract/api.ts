import type { IpcCallName } from './calls'
import { IPC_CALLS, methodNameOf } from './calls'
import type { EarthqubeApi, EventSubscription } from './ipc'

/** How a transport sends one call and listens to events: all `bindApi` needs. */
export interface ApiTransport {
  /** Sends a call with its request (undefined for calls without arguments); resolves to its IpcResult. */
  invoke(name: IpcCallName, request: unknown): Promise<unknown>
  subscribe: EventSubscription
}

/**
 * The renderer's API over a transport: one function per call of the contract's list, named by
 * `methodNameOf`, plus `onEvent`. The preload and the browser-mode client both build theirs here, so
 * adding a call to the contract adds it to both transports at once. No zod in here: the preload bundles it.
 */
export function bindApi(transport: ApiTransport): EarthqubeApi {
  const api: Record<string, unknown> = { onEvent: transport.subscribe }
  for (const name of IPC_CALLS) api[methodNameOf(name)] = (request?: unknown) => transport.invoke(name, request)
  // The loop above creates exactly the functions EarthqubeApi lists (tests/node/contract checks it).
  return Object.freeze(api) as EarthqubeApi
}
