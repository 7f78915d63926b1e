import type { IndicatorRow } from '../../db/schema/indicators.js';
import type { Periodicity, Topic, WorseDirection } from '../common/enums.js';
import type { SeriesThresholds } from '../../alerts/levels.js';
import { Indicator, Thresholds, type IndicatorScale, type ThresholdBasis } from './indicator.type.js';

export function toIndicator(row: IndicatorRow): Indicator {
  return Object.assign(new Indicator(), {
    code: row.code,
    theme: row.theme as Topic,
    periodicity: row.periodicity as Periodicity,
    worseDirection: row.worseDirection as WorseDirection,
    thresholds: Object.assign(new Thresholds(), {
      watch: row.thresholdWatch,
      warning: row.thresholdWarning,
      critical: row.thresholdCritical,
      basis: row.thresholdBasis as ThresholdBasis,
      country: null,
      note: null,
    }),
    minValue: row.minValue,
    maxValue: row.maxValue,
    scale: row.scale as IndicatorScale,
    trendBelowWatch: row.trendBelowWatch,
    disclosesWithheld: row.discloseWithheld,
    names: { en: row.nameEn, ru: row.nameRu },
    descriptions: { en: row.descriptionEn, ru: row.descriptionRu },
    units: { en: row.unit, ru: row.unitRu },
    methodologies: { en: row.methodology, ru: row.methodologyRu },
  });
}

export function toThresholds(t: SeriesThresholds): Thresholds {
  return Object.assign(new Thresholds(), {
    watch: t.thresholdWatch,
    warning: t.thresholdWarning,
    critical: t.thresholdCritical,
    basis: t.basis as ThresholdBasis,
    country: t.country,
    note: t.note,
  });
}
