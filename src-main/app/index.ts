// Electron entry point (placeholder until the shell lands).
export {}
