#!/usr/bin/env node
// The installed `cars` command (package.json "bin"). It registers tsx from this file's own
// node_modules, so it runs from any working directory, unlike `node --import tsx`, which
// resolves tsx from the working directory; then it runs the TypeScript entry point.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
