import type { LevelScales } from '../../alerts/levels.js';
import type { ObservationRow } from '../../db/schema/observations.js';
import type { SourceReliability, Tlp } from '../common/enums.js';
import { formatPeriod } from '../common/period.js';
import { originOf } from '../common/record-origin.type.js';
import type { Page } from '../common/connection.js';
import type { WithheldValue as WithheldRow } from '../../db/queries/withheld.js';
import { Observation, WithheldValue, type ObservationConnection, type ObservationStatus } from './observation.type.js';

/**
 * period, rate and level depend on the indicator, the country's thresholds and population: they are
 * computed here, from the request's reference snapshot, so that a list of hundreds of values resolves
 * them as plain properties, without a promise per field.
 */
export function toObservation(row: ObservationRow, levels: LevelScales): Observation {
  const indicator = levels.indicators.get(row.indicatorCode);
  return Object.assign(new Observation(), {
    id: row.id,
    periodStart: row.periodStart,
    period: formatPeriod(row.periodStart, indicator?.periodicity ?? 'MONTHLY'),
    value: row.value,
    rate: levels.rateOf(row.indicatorCode, row.countryIso3, row.periodStart, row.value),
    level: levels.levelOf(row.indicatorCode, row.countryIso3, row.periodStart, row.value),
    tlp: row.tlp as Tlp,
    sourceReliability: row.sourceReliability as SourceReliability,
    informationCredibility: row.informationCredibility,
    note: row.note,
    revision: row.revision,
    recordedAt: row.recordedAt,
    origin: originOf(row.originInstanceId, row.sourceOrgId),
    status: row.status as ObservationStatus,
    recordedBy: row.recordedBySub,
    sourceReportId: row.sourceReportId,
    supersededAt: row.supersededAt,
    indicatorCode: row.indicatorCode,
    countryIso3: row.countryIso3,
    sourceOrgId: row.sourceOrgId,
  });
}

export function toWithheldValue(row: WithheldRow, levels: LevelScales): WithheldValue {
  return Object.assign(new WithheldValue(), {
    period: formatPeriod(row.periodStart, levels.indicators.get(row.indicatorCode)?.periodicity ?? 'MONTHLY'),
    indicatorCode: row.indicatorCode,
    countryIso3: row.countryIso3,
  });
}

/** A page of observations whose `withheld` list is read only if the client asks for it. */
export function withWithheld(page: Page<Observation>, loadWithheld: () => Promise<WithheldValue[]>): ObservationConnection {
  return Object.assign(page, { loadWithheld }) as unknown as ObservationConnection;
}
