import { readFileSync, writeFileSync } from 'node:fs';
import { svgToPng } from './lib/report/render.js';
for (const f of process.argv.slice(2)) writeFileSync(f.replace('.svg', '.png'), svgToPng(readFileSync(f, 'utf8'), { scale: 1 }));
