#!/usr/bin/env node
import { homedir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { ModelRegistry } from '../inference/modelRegistry'
import { modelFoldersOf } from '../service/appFolders'
import { processIo } from './io'
import { runCli } from './program'

// The `earthqube` command (package.json bin). Plain Node: never imports electron. This bundle is
// out/main/cli.js (src-main/cli/earthqube.ts unbundled): the app's resources are two levels up.
const resourcesDir = fileURLToPath(new URL('../../resources/', import.meta.url))
const models = new ModelRegistry(modelFoldersOf({ env: process.env, home: homedir(), resourcesDir }))

runCli(process.argv.slice(2), { io: processIo, models }).then((code) => {
  process.exitCode = code
})
