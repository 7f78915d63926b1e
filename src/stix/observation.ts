import type { Observation } from '../schema/observation/observation.type.js';
import { GRADING_EXTENSION_ID, OBSERVATION_TYPE, SERIES_EXTENSION_ID } from './extensions.js';
import { confidenceOf } from './grading.js';
import { stixId, stixTime } from './ids.js';
import { tlpMarkingId } from './markings.js';
import { identityIdOf, indicatorIdOf, locationIdOf, type StixObject } from './reference.js';

/**
 * One value is one source's figure for an indicator, country and period; its revisions are versions of
 * one STIX object (the same id, a later `modified`), so a correction replaces the figure in a receiving
 * platform instead of standing beside it.
 */
export const observationIdOf = (o: Pick<Observation, 'indicatorCode' | 'countryIso3' | 'sourceOrgId' | 'periodStart'>) =>
  stixId(OBSERVATION_TYPE, 'observation', `${o.indicatorCode}/${o.countryIso3}/${o.sourceOrgId}/${o.periodStart}`);

/** What this viewer may read of one value (src/auth/policy.ts decides; the mapper only leaves out). */
export interface ObservationReading {
  sourceReliability: boolean;
  informationCredibility: boolean;
  note: boolean;
  /** The report the value rests on, if the row rule lets the viewer see it. */
  /** The STIX id of the report the value comes from, if the row rule lets the viewer see it. */
  sourceReportRef: string | null;
}

/** The period's first instant: it never moves between revisions, as `created` must not. */
const createdOf = (o: Pick<Observation, 'periodStart'>) => new Date(`${o.periodStart}T00:00:00.000Z`);

/** `modified`: when the revision the viewer reads was recorded, never before `created`. */
export function observationVersion(o: Pick<Observation, 'periodStart' | 'recordedAt'>): string {
  const created = createdOf(o);
  return stixTime(o.recordedAt > created ? o.recordedAt : created);
}

export function toStixObservation(o: Observation, reading: ObservationReading): StixObject {
  const grading: Record<string, unknown> = {};
  if (reading.sourceReliability && o.sourceReliability !== null) grading.x_ctewn_source_reliability = o.sourceReliability;
  if (reading.informationCredibility && o.informationCredibility !== null) {
    grading.x_ctewn_information_credibility = o.informationCredibility;
    const confidence = confidenceOf(o.informationCredibility);
    if (confidence !== undefined) grading.confidence = confidence;
  }
  const hasGrading = 'x_ctewn_source_reliability' in grading || 'x_ctewn_information_credibility' in grading;
  return {
    type: OBSERVATION_TYPE,
    spec_version: '2.1',
    id: observationIdOf(o),
    created_by_ref: identityIdOf(o.sourceOrgId),
    created: stixTime(createdOf(o)),
    modified: observationVersion(o),
    indicator_ref: indicatorIdOf(o.indicatorCode),
    location_ref: locationIdOf(o.countryIso3),
    source_ref: identityIdOf(o.sourceOrgId),
    ...(reading.sourceReportRef ? { report_ref: reading.sourceReportRef } : {}),
    period: o.period,
    period_start: o.periodStart,
    value: o.value,
    level: o.level.toLowerCase(),
    status: o.status.toLowerCase(),
    revision: o.revision,
    ...(reading.note && o.note ? { description: o.note } : {}),
    ...grading,
    external_references: [{ source_name: 'ct-ewn', external_id: o.id, description: `revision ${o.revision}` }],
    object_marking_refs: [tlpMarkingId(o.tlp)],
    extensions: {
      [SERIES_EXTENSION_ID]: { extension_type: 'new-sdo' },
      ...(hasGrading ? { [GRADING_EXTENSION_ID]: { extension_type: 'toplevel-property-extension' } } : {}),
    },
  };
}
