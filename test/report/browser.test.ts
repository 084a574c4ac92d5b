/**
 * The report in a real browser: Debian's chromium, headless, driven over the DevTools protocol on a
 * pipe (--remote-debugging-pipe: NUL-separated JSON on fds 3 and 4; node built-ins only). The page
 * must load without console errors or exceptions, and every figure must render, non-blank, at its
 * natural size in a 1280 px window (a figure wider than the text column is scaled down, its text
 * with it). Skips, saying why, when chromium is not installed (.ci/run installs it when it can).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { syntheticResults } from '../helpers/syntheticResults.js';
import { writeReport } from '../../lib/report/index.js';
import { decodePng, pixelStats } from './png.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!CHROMIUM) console.log('browser.test: skipped — no chromium in /usr/bin (Debian package "chromium"; .ci/run installs it as root)');

/** A minimal DevTools-protocol client over chromium's pipe. */
class Cdp {
  private nextId = 1;
  private buffer = '';
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; method: string }>();
  private readonly listeners: ((method: string, params: Record<string, unknown>, sessionId?: string) => void)[] = [];

  constructor(private readonly input: Writable, output: Readable) {
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\0')) >= 0) {
        const msg = JSON.parse(this.buffer.slice(0, end)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
        this.buffer = this.buffer.slice(end + 1);
        if (msg.id !== undefined) {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.error) p?.reject(new Error(`${p.method}: ${msg.error.message}`));
          else p?.resolve(msg.result);
        } else if (msg.method) for (const l of this.listeners) l(msg.method, msg.params ?? {}, msg.sessionId);
      }
    });
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    return new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method }));
  }

  on(listener: (method: string, params: Record<string, unknown>, sessionId?: string) => void): void {
    this.listeners.push(listener);
  }

  /** The first event `method` for which `accept` holds. */
  waitFor(method: string, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs);
      this.on((m, params) => {
        if (m === method) {
          clearTimeout(timer);
          resolve(params);
        }
      });
    });
  }
}

interface FigureBox {
  id: string;
  /** The SVG's own size (its width/height attributes) and its size on the page, CSS px. */
  naturalWidth: number;
  naturalHeight: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

describe.skipIf(!CHROMIUM)('the report in headless chromium', () => {
  let dir: string;
  let browser: ChildProcess;
  let cdp: Cdp;
  let session: string;
  const problems: string[] = [];
  let figures: FigureBox[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sidewinder-browser-'));
    // Every plot kind: three methods, three working points, nine windows, all optional parts.
    const out = await writeReport(syntheticResults({ nRuns: 3 }), join(dir, 'report'), { formats: [] });
    browser = spawn(
      CHROMIUM!,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--hide-scrollbars', '--mute-audio',
        '--remote-debugging-pipe', `--user-data-dir=${join(dir, 'profile')}`, 'about:blank'],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
    );
    cdp = new Cdp(browser.stdio[3] as Writable, browser.stdio[4] as Readable);
    const { targetId } = await cdp.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    ({ sessionId: session } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true }));
    cdp.on((method, params, sid) => {
      if (sid !== session) return;
      if (method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'assert'))
        problems.push(`console.${String(params.type)}: ${JSON.stringify((params.args as { value?: unknown; description?: string }[]).map((a) => a.value ?? a.description))}`);
      if (method === 'Runtime.exceptionThrown') problems.push(`exception: ${JSON.stringify((params.exceptionDetails as { text?: string; exception?: { description?: string } }).exception?.description ?? params.exceptionDetails)}`);
      if (method === 'Log.entryAdded' && (params.entry as { level: string }).level === 'error') problems.push(`log: ${(params.entry as { text: string; url?: string }).text} ${(params.entry as { url?: string }).url ?? ''}`);
    });
    for (const m of ['Runtime.enable', 'Log.enable', 'Page.enable']) await cdp.send(m, {}, session);
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false }, session);
    const loaded = cdp.waitFor('Page.loadEventFired', 30_000);
    await cdp.send('Page.navigate', { url: pathToFileURL(out.htmlPath).href }, session);
    await loaded;
    const { result } = await cdp.send<{ result: { value: FigureBox[] } }>('Runtime.evaluate', {
      returnByValue: true,
      expression: `[...document.querySelectorAll('figure')].map((f) => {
        const svg = f.querySelector(':scope > svg');
        const r = svg.getBoundingClientRect();
        return { id: f.id, naturalWidth: Number(svg.getAttribute('width')), naturalHeight: Number(svg.getAttribute('height')),
                 x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height };
      })`,
    }, session);
    figures = result.value;
  }, 60_000);

  afterAll(async () => {
    if (browser && browser.exitCode === null) {
      const exited = new Promise((resolve) => browser.once('exit', resolve));
      await cdp.send('Browser.close').catch(() => browser.kill());
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      browser.kill();
    }
    if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('loads without console errors or exceptions', () => {
    expect(problems).toEqual([]);
    expect(figures.map((f) => f.id)).toEqual(expect.arrayContaining(['significance', 'mjj-spectrum', 'delta-sys', 'roc-sic', 'global-significance', 'look-elsewhere-toys']));
  });

  it('shows every figure at its natural size: none is wider than the text column', () => {
    const shrunk = figures.filter((f) => f.width < 0.98 * f.naturalWidth).map((f) => `${f.id}: ${f.naturalWidth} px drawn at ${f.width.toFixed(0)} px`);
    expect(shrunk).toEqual([]);
    for (const f of figures) expect(f.height, f.id).toBeGreaterThan(100);
  });

  it('draws every figure non-blank at its displayed size (lines and text, not one colour)', async () => {
    for (const f of figures) {
      const { data } = await cdp.send<{ data: string }>('Page.captureScreenshot', {
        format: 'png', captureBeyondViewport: true, clip: { x: f.x, y: f.y, width: f.width, height: f.height, scale: 1 },
      }, session);
      const png = decodePng(Buffer.from(data, 'base64'));
      expect(Math.abs(png.width - Math.round(f.width)), f.id).toBeLessThanOrEqual(1);
      const { colours, darkFraction } = pixelStats(png);
      expect(colours, `${f.id}: distinct colours`).toBeGreaterThan(8);
      expect(darkFraction, `${f.id}: fraction of dark (text, axis) pixels`).toBeGreaterThan(0.003);
    }
  }, 30_000);
});
