import type { ObservationRow } from '../../db/schema/observations.js';
import type { SourceReliability, Tlp } from '../common/enums.js';
import { Observation } from './observation.type.js';

/** period and level depend on the indicator and are resolved by ObservationResolver. */
export function toObservation(row: ObservationRow): Observation {
  return Object.assign(new Observation(), {
    id: row.id,
    periodStart: row.periodStart,
    value: row.value,
    tlp: row.tlp as Tlp,
    sourceReliability: row.sourceReliability as SourceReliability,
    informationCredibility: row.informationCredibility,
    note: row.note,
    revision: row.revision,
    recordedAt: row.recordedAt,
    indicatorCode: row.indicatorCode,
    countryIso3: row.countryIso3,
    sourceOrgId: row.sourceOrgId,
  });
}
