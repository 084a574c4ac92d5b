#!/usr/bin/env node
// Runs the CLI from the TypeScript sources (registers tsx, then imports scripts/cli.ts): for development
// and the tests, which exercise the code as it is in the work tree. The installed `sidewinder` bin is the
// compiled dist/scripts/cli.js (`npm run build`; `npm ci` builds it), which needs no TypeScript loader.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
