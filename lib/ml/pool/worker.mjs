// Worker-thread bootstrap: make TypeScript modules importable (tsx's ESM loader), then start the
// worker loop. Works whether or not the parent process itself runs under tsx (node --import tsx,
// vitest, ...): registering the loader in the worker is idempotent for our purposes.
import { register } from 'tsx/esm/api';

register();
await import('./workerMain.ts');
