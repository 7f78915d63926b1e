import { AlertLevel } from '../common/enums.js';

export interface ThresholdSpec {
  worseDirection: 'HIGHER' | 'LOWER';
  thresholdWatch: number;
  thresholdWarning: number;
  thresholdCritical: number;
}

/** Where a value stands against the thresholds, reading them in the indicator's worse direction. */
export function levelOf(value: number, spec: ThresholdSpec): AlertLevel {
  const reaches = (threshold: number) => (spec.worseDirection === 'HIGHER' ? value >= threshold : value <= threshold);
  if (reaches(spec.thresholdCritical)) return AlertLevel.CRITICAL;
  if (reaches(spec.thresholdWarning)) return AlertLevel.WARNING;
  if (reaches(spec.thresholdWatch)) return AlertLevel.WATCH;
  return AlertLevel.NONE;
}
