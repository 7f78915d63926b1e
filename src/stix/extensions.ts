import { stixId } from './ids.js';
import { tlpMarkingId } from './markings.js';

/**
 * The network's STIX extensions (STIX 2.1 §7.3), each an `extension-definition` object with a fixed id
 * derived from its name and version.
 *
 * Early-warning indicators and their values are NOT STIX `indicator` objects: a STIX indicator is a
 * detection pattern (`pattern`, `pattern_type`, `valid_from`) a platform matches against observed data,
 * and a platform that received a figure such as "returning foreign fighters per month" as one would try to
 * run it as a pattern, or reject it. Nor are they `observed-data` (which counts sightings of cyber
 * observables). They are statistical time series, so they get two new object types of their own
 * (`new-sdo`), whose properties the JSON schema below defines; a platform that does not know the
 * extension keeps them as unknown objects, which is what STIX asks of it.
 */
export const SERIES_EXTENSION_VERSION = '1.0';
export const SERIES_EXTENSION_ID = stixId('extension-definition', 'extension', `ctewn-indicator-series/${SERIES_EXTENSION_VERSION}`);
export const GRADING_EXTENSION_VERSION = '1.0';
export const GRADING_EXTENSION_ID = stixId('extension-definition', 'extension', `ctewn-admiralty-grading/${GRADING_EXTENSION_VERSION}`);

export const INDICATOR_TYPE = 'ctewn-indicator';
export const OBSERVATION_TYPE = 'ctewn-observation';

/** The network itself, as the creator of its reference objects and extension definitions. */
export const NETWORK_IDENTITY_ID = stixId('identity', 'network', 'ct-ewn');

/**
 * Reference data and extension definitions carry no timestamps of their own in the database; they are
 * versioned with the mapping: change this date when the mapping of reference objects changes, so receiving
 * platforms take the new version.
 */
export const REFERENCE_EPOCH = '2024-01-01T00:00:00.000Z';

/** Where the series schema is published (the TAXII server serves it; docs/STIX.md prints it). */
export const SERIES_SCHEMA_PATH = `/stix/schemas/ctewn-indicator-series-${SERIES_EXTENSION_VERSION}.json`;

const ref = (prefix: string) => ({ type: 'string', pattern: `^${prefix}--[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$` });
const newSdo = { type: 'object', required: [SERIES_EXTENSION_ID], properties: { [SERIES_EXTENSION_ID]: { const: { extension_type: 'new-sdo' } } } };

/** The normative definition of the two new object types (JSON Schema draft 2020-12), on top of STIX core. */
export const SERIES_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: `urn:ctewn:stix:ctewn-indicator-series:${SERIES_EXTENSION_VERSION}`,
  title: 'CT-EWN early-warning indicator series',
  description:
    'An early-warning indicator (ctewn-indicator) and one source\'s value of it for a country and period (ctewn-observation). A series is every ctewn-observation with the same indicator_ref, location_ref and source_ref, ordered by period_start; a correction is a new version (same id, later modified) of the value.',
  oneOf: [{ $ref: '#/$defs/indicator' }, { $ref: '#/$defs/observation' }],
  $defs: {
    indicator: {
      type: 'object',
      required: ['type', 'id', 'name', 'code', 'theme', 'unit', 'periodicity', 'worse_direction', 'thresholds', 'extensions'],
      properties: {
        type: { const: INDICATOR_TYPE },
        id: ref(INDICATOR_TYPE),
        name: { type: 'string' },
        description: { type: 'string' },
        code: { type: 'string', pattern: '^[A-Z0-9-]{2,16}$' },
        theme: { type: 'string' },
        unit: { type: 'string' },
        methodology: { type: 'string' },
        scale: { enum: ['count', 'measure'] },
        periodicity: { enum: ['monthly', 'quarterly', 'annual'] },
        worse_direction: { enum: ['higher', 'lower'] },
        thresholds: {
          type: 'object',
          required: ['watch', 'warning', 'critical'],
          properties: { watch: { type: 'number' }, warning: { type: 'number' }, critical: { type: 'number' } },
          additionalProperties: false,
        },
        min_value: { type: 'number' },
        max_value: { type: 'number' },
        applies_to_refs: { type: 'array', items: ref('location'), minItems: 1 },
        extensions: newSdo,
      },
    },
    observation: {
      type: 'object',
      required: ['type', 'id', 'indicator_ref', 'location_ref', 'source_ref', 'period', 'period_start', 'value', 'level', 'status', 'revision', 'extensions'],
      properties: {
        type: { const: OBSERVATION_TYPE },
        id: ref(OBSERVATION_TYPE),
        indicator_ref: ref(INDICATOR_TYPE),
        location_ref: ref('location'),
        source_ref: ref('identity'),
        report_ref: ref('report'),
        period: { type: 'string', pattern: '^[0-9]{4}(-[0-9]{2}|-Q[1-4])?$' },
        period_start: { type: 'string', format: 'date' },
        value: { type: 'number' },
        level: { enum: ['none', 'watch', 'warning', 'critical'] },
        status: { enum: ['provisional', 'estimated', 'final'] },
        revision: { type: 'integer', minimum: 1 },
        description: { type: 'string' },
        extensions: newSdo,
      },
    },
  },
} as const;

export interface ExtensionDefinition {
  type: 'extension-definition';
  spec_version: '2.1';
  id: string;
  created_by_ref: string;
  created: string;
  modified: string;
  name: string;
  description: string;
  schema: string;
  version: string;
  extension_types: string[];
  extension_properties?: string[];
  object_marking_refs: string[];
}

export function seriesExtensionDefinition(): ExtensionDefinition {
  return {
    type: 'extension-definition',
    spec_version: '2.1',
    id: SERIES_EXTENSION_ID,
    created_by_ref: NETWORK_IDENTITY_ID,
    created: REFERENCE_EPOCH,
    modified: REFERENCE_EPOCH,
    name: 'CT-EWN early-warning indicator series',
    description:
      'Two new object types: ctewn-indicator (an early-warning indicator of the Counter-Terrorism Early Warning Network for Central Asia: unit, periodicity, thresholds, where it applies) and ctewn-observation (one source\'s value of it for a country and period, with its level against the thresholds). Statistical series, not detection patterns: they are not STIX indicators.',
    schema: `JSON Schema (draft 2020-12) ${SERIES_SCHEMA.$id}, served by the network's API at ${SERIES_SCHEMA_PATH} and printed in docs/STIX.md of CT-EWN Graph.`,
    version: SERIES_EXTENSION_VERSION,
    extension_types: ['new-sdo'],
    object_marking_refs: [tlpMarkingId('CLEAR')],
  };
}

export function gradingExtensionDefinition(): ExtensionDefinition {
  return {
    type: 'extension-definition',
    spec_version: '2.1',
    id: GRADING_EXTENSION_ID,
    created_by_ref: NETWORK_IDENTITY_ID,
    created: REFERENCE_EPOCH,
    modified: REFERENCE_EPOCH,
    name: 'CT-EWN Admiralty grading',
    description:
      'The Admiralty (NATO) grading of a report: x_ctewn_source_reliability (A completely reliable … E unreliable, F cannot be judged) and x_ctewn_information_credibility (1 confirmed … 5 improbable, 6 cannot be judged). `confidence` carries the credibility on the STIX 2.1 Appendix A Admiralty Credibility scale.',
    schema:
      'x_ctewn_source_reliability: string, one of "A", "B", "C", "D", "E", "F". x_ctewn_information_credibility: integer from 1 to 6. Both present or both absent (left out for a recipient who may not read the grading).',
    version: GRADING_EXTENSION_VERSION,
    extension_types: ['toplevel-property-extension'],
    extension_properties: ['x_ctewn_source_reliability', 'x_ctewn_information_credibility'],
    object_marking_refs: [tlpMarkingId('CLEAR')],
  };
}
