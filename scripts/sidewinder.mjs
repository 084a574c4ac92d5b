#!/usr/bin/env node
// The `sidewinder` bin: registers the TypeScript loader, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
