import { validator, UNPATCHED_BUNDLE } from '../../src/stix/schemas.js';

/**
 * The official STIX 2.1 JSON schemas, as the STIX import validates with them at run time
 * (src/stix/schemas.ts: standards/stix2.1-json-schemas, ajv draft 2020-12, formats checked, the one
 * documented patch to bundle.json). Every object and bundle the network emits is validated here.
 */
export { bundleErrors, stixErrors, stixSchemasDir, UNPATCHED_BUNDLE, type AnyStix } from '../../src/stix/schemas.js';

/** Whether bundle.json exactly as published accepts the bundle. */
export function unpatchedBundleAccepts(bundle: unknown): boolean {
  return validator(UNPATCHED_BUNDLE)(bundle) as boolean;
}
