/**
 * The names of the contract, without their schemas: every call (`capability:verb`) and every event main
 * pushes. Plain constants, no zod, so the sandboxed preload can bundle them; `ipc.ts` gives each name
 * its schemas and fails to compile when the two lists differ.
 */

/** Every call between renderer and main, in contract order. */
export const IPC_CALLS = [
  'catalog:stats',
  'search:query',
  'feedback:add',
  'similar:query',
  'models:list',
  'jobs:start',
  'jobs:list',
  'jobs:cancel',
  'app:info',
] as const

/** A call's name, e.g. "search:query". */
export type IpcCallName = (typeof IPC_CALLS)[number]

/** Every event main pushes to the renderer. */
export const EVENT_NAMES = ['jobs:update', 'catalog:changed'] as const

/** An event's name. */
export type EventName = (typeof EVENT_NAMES)[number]

/** The one Electron channel events travel on (webContents.send → ipcRenderer.on), as `{ name, payload }`. */
export const EVENT_CHANNEL = 'earthqube:event'

/** `catalog:stats` → `catalogStats`: the name of a call's function on the renderer's API. */
export type IpcMethodName<N extends string> = N extends `${infer Capability}:${infer Verb}` ? `${Capability}${Capitalize<Verb>}` : never

/** The renderer API's function name for a call. */
export function methodNameOf<N extends IpcCallName>(name: N): IpcMethodName<N> {
  const [capability, verb] = name.split(':') as [string, string]
  return `${capability}${verb.charAt(0).toUpperCase()}${verb.slice(1)}` as IpcMethodName<N>
}

/** True when `name` is a call of the contract (names arriving from outside are untrusted strings). */
export function isIpcCallName(name: string): name is IpcCallName {
  return (IPC_CALLS as readonly string[]).includes(name)
}
