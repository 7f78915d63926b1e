import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { SERIES_SCHEMA } from './extensions.js';

/**
 * The official STIX 2.1 JSON schemas of the OASIS CTI TC (standards/stix2.1-json-schemas, a verbatim copy
 * of oasis-open/cti-stix2-json-schemas at the commit in its SOURCE.md, BSD-3 licence beside it), loaded as
 * they declare themselves (draft 2020-12) into ajv with formats checked. The STIX import validates every
 * object of a bundle against them before reading any (src/stix/import.ts), and the tests validate every
 * object and bundle the network emits with the same validator: one reading of the standard, not two.
 */
const addFormats = addFormatsImport as unknown as (ajv: Ajv2020) => Ajv2020;

/** The schemas folder, found by walking up, so src/ (tsx) and dist/ (node) both find it. */
export function stixSchemasDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'standards', 'stix2.1-json-schemas', 'schemas');
    if (existsSync(join(candidate, 'common', 'core.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('standards/stix2.1-json-schemas/schemas not found');
    dir = parent;
  }
}

/** bundle.json as published, kept to show why the patch below is needed (test/stix.mapping.test.ts). */
export const UNPATCHED_BUNDLE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/common/bundle-as-published.json';

/**
 * The one change made to the official schemas. bundle.json admits an object of a type it does not list
 * (an extension-defined SDO, an `extension-definition`) through `allOf: [oneOf: [core, cyber-observable-
 * core], …]`; but cyber-observable-core.json requires only `type` and `id` and allows every property
 * core.json does, so every object valid against core.json is valid against both, and `oneOf` refuses it:
 * as published, no bundle may carry an extension-definition object, which STIX 2.1 §7.3 requires to be
 * shareable. `anyOf` is what the branch means; everything else, each object's own schema included, is
 * validated as published.
 */
function patchCustomObjectBranch(bundle: any): void {
  const custom = bundle.properties.objects.items.anyOf[1].allOf[0];
  if (!Array.isArray(custom.oneOf) || custom.oneOf.length !== 2) throw new Error('bundle.json changed: review patchCustomObjectBranch');
  custom.anyOf = custom.oneOf;
  delete custom.oneOf;
}

export interface StixSchemas {
  ajv: Ajv2020;
  /** Schema $id by file name without .json (`report`, `core`, `bundle`…). */
  byType: Map<string, string>;
}

function loadAll(): StixSchemas {
  // strict: false: the OASIS schemas use annotation keywords (title on $ref siblings) that ajv's strict mode
  // flags; they do not change what validates.
  // unicodeRegExp: false: core.json's type pattern escapes a hyphen (`\-`), which JSON Schema's ECMA-262
  // regular expressions accept but JavaScript's unicode mode does not.
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const root = stixSchemasDir();
  const byType = new Map<string, string>();
  for (const folder of ['common', 'sdos', 'sros', 'observables']) {
    for (const file of readdirSync(join(root, folder)).filter((f) => f.endsWith('.json'))) {
      const schema = JSON.parse(readFileSync(join(root, folder, file), 'utf8')) as { $id: string };
      if (file === 'bundle.json') {
        // Its own $id beside the original, in the same folder, so its relative $refs resolve the same way.
        ajv.addSchema({ ...JSON.parse(JSON.stringify(schema)), $id: schema.$id.replace(/bundle\.json$/, 'bundle-as-published.json') });
        patchCustomObjectBranch(schema);
      }
      ajv.addSchema(schema);
      byType.set(file.replace(/\.json$/, ''), schema.$id);
    }
  }
  ajv.addSchema(SERIES_SCHEMA as unknown as object, SERIES_SCHEMA.$id);
  return { ajv, byType };
}

let loaded: StixSchemas | undefined;
/** Loaded on first use (some 80 files), then kept: compiled validators are cached by ajv. */
export function stixSchemas(): StixSchemas {
  return (loaded ??= loadAll());
}

export function validator(id: string): ValidateFunction {
  const v = stixSchemas().ajv.getSchema(id);
  if (!v) throw new Error(`no schema ${id}`);
  return v;
}

export type AnyStix = Record<string, unknown> & { type: string; id?: string };

/** The schemas an object of this type must satisfy: its own official schema, or core plus our extension's. */
function schemasFor(type: string): string[] {
  const { byType } = stixSchemas();
  const own = byType.get(type);
  if (own && type !== 'core') return [own];
  if (type.startsWith('ctewn-')) return [byType.get('core')!, SERIES_SCHEMA.$id];
  return [byType.get('core')!];
}

/** Every schema error of one STIX object, as readable lines naming the object (empty: valid). */
export function stixErrors(object: AnyStix): string[] {
  return schemasFor(object.type).flatMap((id) => {
    const validate = validator(id);
    const valid = validate(object) as boolean;
    return valid ? [] : (validate.errors ?? []).map((e) => `${object.id ?? object.type} (${id.split('/').pop()}): ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  });
}

/** Errors of a bundle against bundle.json, and of each object in it against its own schema. */
export function bundleErrors(bundle: { objects: AnyStix[] }): string[] {
  const validate = validator(stixSchemas().byType.get('bundle')!);
  // bundle.json tries every object schema in turn (anyOf/oneOf), so its raw errors are one per schema
  // tried: name the objects it refused instead, and let each object's own schema say why.
  const valid = validate(bundle) as boolean;
  const refused = valid
    ? []
    : [...new Set((validate.errors ?? []).map((e) => /^\/objects\/(\d+)/.exec(e.instancePath)?.[1] ?? e.instancePath))].map((at) => {
        const o = bundle.objects[Number(at)];
        return o ? `bundle.json refuses object ${at}: ${o.type} ${o.id ?? ''}` : `bundle.json: ${at || '/'} ${validate.errors?.[0]?.message ?? ''}`;
      });
  const objects = Array.isArray(bundle.objects) ? bundle.objects.filter((o): o is AnyStix => typeof o === 'object' && o !== null && typeof o.type === 'string') : [];
  return [...refused, ...objects.flatMap((o) => stixErrors(o))];
}
