import { v5 as uuidv5 } from 'uuid';

/**
 * The network's own UUIDv5 namespace for STIX ids: fixed forever, so the same record always gets the same
 * id and a receiving platform (MISP, OpenCTI) dedupes a re-export instead of storing a copy. Changing it
 * would duplicate every object in every partner's platform.
 */
export const CTEWN_STIX_NAMESPACE = '6cb4964e-25cb-4c29-a410-8e05e6f092c0';

/** `<type>--<uuidv5(namespace, "<kind>:<key>")>`: the key is our own id, never anything a viewer may not read. */
export function stixId(type: string, kind: string, key: string): string {
  return `${type}--${uuidv5(`${kind}:${key}`, CTEWN_STIX_NAMESPACE)}`;
}

/** STIX timestamps are UTC with exactly millisecond precision (STIX 2.1 §3.2, core.json "timestamp_millis"). */
export function stixTime(at: Date): string {
  return at.toISOString();
}
