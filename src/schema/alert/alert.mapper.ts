import type { AlertRow } from '../../db/schema/alerts.js';
import type { AlertLevel, Tlp } from '../common/enums.js';
import { Alert, Baseline, type AlertRule, type AlertStatus } from './alert.type.js';

export function toAlert(row: AlertRow): Alert {
  const baseline =
    row.baselineMean !== null && row.baselineStdDev !== null && row.zScore !== null
      ? Object.assign(new Baseline(), { mean: row.baselineMean, standardDeviation: row.baselineStdDev, zScore: row.zScore })
      : null;
  return Object.assign(new Alert(), {
    id: row.id,
    level: row.level as AlertLevel,
    rule: row.rule as AlertRule,
    value: row.value,
    threshold: row.threshold,
    baseline,
    tlp: row.tlp as Tlp,
    status: row.status as AlertStatus,
    raisedAt: row.raisedAt,
    acknowledgedAt: row.acknowledgedAt,
    acknowledgedByOrganizationId: row.acknowledgedByOrgId,
    acknowledgementNote: row.acknowledgementNote,
    indicatorCode: row.indicatorCode,
    countryIso3: row.countryIso3,
    sourceOrgId: row.sourceOrgId,
    periodStart: row.periodStart,
    observationIds: row.observationIds,
  });
}
