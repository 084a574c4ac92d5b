import { readFileSync } from 'node:fs';
import { writeSearchReport } from './lib/report/search.js';
const r = JSON.parse(readFileSync('/tmp/sw-out/search-results.json', 'utf8'));
await writeSearchReport(r, '/tmp/sw-out');
