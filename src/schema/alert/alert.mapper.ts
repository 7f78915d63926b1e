import type { AlertRead } from '../../db/queries/alerts.js';
import type { AlertLevel, Tlp } from '../common/enums.js';
import { Alert, Baseline, type AlertRule, type AlertStatus } from './alert.type.js';

/**
 * An alert as the viewer may know it: superseded only if the viewer may see what superseded it, and
 * acknowledged only if the viewer's own organization acknowledged it.
 */
export function toAlert(row: AlertRead): Alert {
  const baseline =
    row.baselineMean !== null && row.baselineStdDev !== null && row.zScore !== null
      ? Object.assign(new Baseline(), { mean: row.baselineMean, standardDeviation: row.baselineStdDev, zScore: row.zScore, tailProbability: row.tailProbability })
      : null;
  return Object.assign(new Alert(), {
    id: row.id,
    level: row.level as AlertLevel,
    rule: row.rule as AlertRule,
    value: row.value,
    threshold: row.threshold,
    rate: row.rate,
    baseline,
    tlp: row.tlp as Tlp,
    status: (row.supersededForViewer ? 'SUPERSEDED' : (row.ownTriageState ?? 'NEW') === 'NEW' ? 'OPEN' : 'ACKNOWLEDGED') as AlertStatus,
    knownAt: row.knownAt,
    historical: row.historical,
    supersededAt: row.supersededForViewer ? row.supersededAt : null,
    supersededByObservationId: row.supersededForViewer ? row.supersededByObservationId : null,
    raisedAt: row.raisedAt,
    acknowledgedAt: row.ownAcknowledgedAt,
    acknowledgedByOrganizationId: row.ownAcknowledgedAt ? row.ownTriageOrgId : null,
    ownTriage: {
      state: row.ownTriageState,
      assigneeSub: row.ownAssigneeSub,
      updatedAt: row.ownTriageUpdatedAt,
      escalatedAt: row.ownEscalatedAt,
    },
    indicatorCode: row.indicatorCode,
    countryIso3: row.countryIso3,
    sourceOrgId: row.sourceOrgId,
    periodStart: row.periodStart,
    observationIds: row.observationIds,
  });
}
