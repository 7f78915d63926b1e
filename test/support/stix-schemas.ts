import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { SERIES_SCHEMA } from '../../src/stix/extensions.js';

/**
 * The official STIX 2.1 JSON schemas of the OASIS CTI TC (test/standards/stix2.1-json-schemas, a verbatim
 * copy, BSD-3 licence kept beside them, so a clean clone tests against them wherever it stands; from
 * oasis-open/cti-stix2-json-schemas: see its SOURCE.md), loaded as they declare themselves (draft
 * 2020-12) into ajv, with formats checked. Every object and bundle the network emits is validated here.
 */
export const STIX_SCHEMAS_DIR = new URL('../standards/stix2.1-json-schemas/schemas/', import.meta.url).pathname;

const addFormats = addFormatsImport as unknown as (ajv: Ajv2020) => Ajv2020;

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

function loadAll(): { ajv: Ajv2020; byType: Map<string, string> } {
  // strict: false: the OASIS schemas use annotation keywords (title on $ref siblings) that ajv's strict mode
  // flags; they do not change what validates.
  // unicodeRegExp: false: core.json's type pattern escapes a hyphen (`\-`), which JSON Schema's ECMA-262
  // regular expressions accept but JavaScript's unicode mode does not.
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const byType = new Map<string, string>();
  for (const folder of ['common', 'sdos', 'sros', 'observables']) {
    for (const file of readdirSync(join(STIX_SCHEMAS_DIR, folder)).filter((f) => f.endsWith('.json'))) {
      const schema = JSON.parse(readFileSync(join(STIX_SCHEMAS_DIR, folder, file), 'utf8')) as { $id: string };
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

const { ajv, byType } = loadAll();

const compiled = new Map<string, ValidateFunction>();
function validator(id: string): ValidateFunction {
  let v = compiled.get(id);
  if (!v) compiled.set(id, (v = ajv.getSchema(id)!));
  if (!v) throw new Error(`no schema ${id}`);
  return v;
}

/** The schemas an object of this type must satisfy: its own official schema, or core plus our extension's. */
function schemasFor(type: string): string[] {
  const own = byType.get(type);
  if (own && type !== 'core') return [own];
  if (type.startsWith('ctewn-')) return [byType.get('core')!, SERIES_SCHEMA.$id];
  return [byType.get('core')!];
}

/** Every schema error of one STIX object, as readable lines (empty: valid). */
export type AnyStix = Record<string, unknown> & { type: string; id?: string };

export function stixErrors(object: AnyStix): string[] {
  return schemasFor(object.type).flatMap((id) => {
    const validate = validator(id);
    const valid: boolean = validate(object);
    return valid ? [] : (validate.errors ?? []).map((e) => `${object.id ?? object.type} (${id.split('/').pop()}): ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  });
}

/** Whether bundle.json exactly as published accepts the bundle. */
export function unpatchedBundleAccepts(bundle: unknown): boolean {
  return validator(UNPATCHED_BUNDLE)(bundle) as boolean;
}

/** Errors of a bundle against bundle.json, and of each object in it against its own schema. */
export function bundleErrors(bundle: { objects: AnyStix[] }): string[] {
  const validate = validator(byType.get('bundle')!);
  // bundle.json tries every object schema in turn (anyOf/oneOf), so its raw errors are one per schema
  // tried: name the objects it refused instead, and let each object's own schema say why.
  const valid: boolean = validate(bundle);
  const refused = valid
    ? []
    : [...new Set((validate.errors ?? []).map((e) => /^\/objects\/(\d+)/.exec(e.instancePath)?.[1] ?? e.instancePath))].map((at) => {
        const o = bundle.objects[Number(at)];
        return o ? `bundle.json refuses object ${at}: ${o.type} ${o.id ?? ''}` : `bundle.json: ${at} ${validate.errors?.[0]?.message ?? ''}`;
      });
  return [...refused, ...bundle.objects.flatMap((o) => stixErrors(o))];
}
