/**
 * The methods a scan can run, in display order. A new method is one module in lib/methods and one
 * line here; lib/scan reads everything it needs from the descriptors.
 */
import { ConfigError, didYouMean } from '../util/errors.js';
import type { MethodDescriptor, StageSpec } from './method.js';
import type { MethodName } from './types.js';
import { IAD } from './iad.js';
import { CWOLA } from './cwola.js';
import { CATHODE } from './cathode.js';
import { ANODE } from './anode.js';

/** Every registered method, in display order. */
export const METHOD_REGISTRY: readonly MethodDescriptor[] = Object.freeze([IAD, CWOLA, CATHODE, ANODE]);

/** All method names, in display order. */
export const METHOD_NAMES: readonly MethodName[] = Object.freeze(METHOD_REGISTRY.map((m) => m.name));

/** Display labels of the methods. */
export const METHOD_LABELS: Readonly<Record<MethodName, string>> = Object.freeze(Object.fromEntries(METHOD_REGISTRY.map((m) => [m.name, m.label])) as Record<MethodName, string>);

/** The methods a default scan runs (ANODE on request: `--methods …,anode`; it trains k more flows per window). */
export const DEFAULT_METHODS: readonly MethodName[] = Object.freeze(['iad', 'cwola', 'cathode']);

/** The descriptor of a method. @throws ConfigError for an unknown name, listing the known ones. */
export function methodDescriptor(name: string): MethodDescriptor {
  const m = METHOD_REGISTRY.find((d) => d.name === name);
  if (!m) throw new ConfigError(`unknown method "${name}"${didYouMean(name, METHOD_NAMES)}; methods are ${METHOD_NAMES.join(', ')}`);
  return m;
}

/** A method's stage of a task kind. @throws ConfigError when the method has no such stage. */
export function methodStage(method: string, kind: string): StageSpec {
  const s = methodDescriptor(method).stages.find((x) => x.kind === kind);
  if (!s) throw new ConfigError(`method ${method} has no "${kind}" task (its tasks: ${methodDescriptor(method).stages.map((x) => x.kind).join(', ')})`);
  return s;
}
