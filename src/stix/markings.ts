import type { Tlp } from '../schema/common/enums.js';

/**
 * The standard TLP 2.0 marking definitions published by the OASIS CTI TC (repository
 * oasis-open/cti-stix-common-objects, extension-definition-specifications/tlp-2.0/: the JSON schema
 * marking-definition.json pins each id and name, and the examples carry `created`). Receiving platforms
 * recognise TLP by these ids: an id of our own would be an unknown marking to them, and a marking they do
 * not recognise is a marking they cannot enforce. Never invent ids here.
 */
export const TLP_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

const TLP_2_0 = {
  CLEAR: { id: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487', name: 'TLP:CLEAR', level: 'clear' },
  GREEN: { id: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb', name: 'TLP:GREEN', level: 'green' },
  AMBER: { id: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421', name: 'TLP:AMBER', level: 'amber' },
  AMBER_STRICT: { id: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003', name: 'TLP:AMBER+STRICT', level: 'amber+strict' },
  RED: { id: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1', name: 'TLP:RED', level: 'red' },
} as const satisfies Record<Tlp, { id: string; name: string; level: string }>;

export interface MarkingDefinition {
  type: 'marking-definition';
  spec_version: '2.1';
  id: string;
  created: string;
  name: string;
  extensions: Record<string, { extension_type: 'property-extension'; tlp_2_0: string }>;
}

export function tlpMarkingId(tlp: Tlp | string): string {
  const marking = TLP_2_0[tlp as Tlp];
  if (!marking) throw new Error(`no TLP 2.0 marking for ${tlp}`);
  return marking.id;
}

/** The marking-definition object as OASIS publishes it, so a bundle is self-contained. */
export function tlpMarkingDefinition(tlp: Tlp | string): MarkingDefinition {
  const marking = TLP_2_0[tlp as Tlp];
  if (!marking) throw new Error(`no TLP 2.0 marking for ${tlp}`);
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: marking.id,
    created: '2022-10-01T00:00:00.000Z',
    name: marking.name,
    extensions: { [TLP_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: marking.level } },
  };
}

/** Our marking for a TLP 2.0 marking-definition id, or undefined for any other id (for the STIX import). */
export function tlpOfMarkingId(id: string): Tlp | undefined {
  const entry = Object.entries(TLP_2_0).find(([, m]) => m.id === id);
  return entry?.[0] as Tlp | undefined;
}
