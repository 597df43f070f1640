#!/usr/bin/env node
import { runCli } from './program'

// The `earthqube` command (package.json bin). Plain Node: never imports electron.
runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
