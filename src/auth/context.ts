import type { AlertBus } from '../alerts/bus.js';
import type { Db } from '../db/database.js';
import { createLoaders, type Loaders } from '../db/loaders.js';
import type { ReferenceCache } from '../db/reference.js';
import { Lang } from '../schema/common/enums.js';
import { AccessRecord } from './access-log.js';
import type { Viewer } from './viewer.js';

/** What every resolver receives: who asks, in which language, this request's loaders and access record. */
export interface Context {
  viewer: Viewer;
  lang: Lang;
  db: Db;
  loaders: Loaders;
  access: AccessRecord;
  /** Committed alerts, for subscriptions. */
  alertBus?: AlertBus;
  /** MAX_FUTURE_PERIODS, for writes (unset: no period after the current one). */
  maxFuturePeriods?: number;
  /** ALERT_BACKFILL_HORIZON_DAYS, for writes (unset: the default). */
  alertBackfillHorizonDays?: number;
}

/** The first of en/ru in an Accept-Language header, by the order of preference it gives. */
export function langFromAcceptLanguage(header: string | undefined): Lang {
  if (!header) return Lang.EN;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())).find(Boolean);
      return { tag: tag.split('-')[0], q: q ? Number(q[1]) : 1 };
    })
    .filter((entry) => entry.tag === 'en' || entry.tag === 'ru')
    .sort((a, b) => b.q - a.q);
  return ranked[0]?.tag === 'ru' ? Lang.RU : Lang.EN;
}

export function createContext(
  db: Db,
  viewer: Viewer,
  acceptLanguage: string | undefined,
  reference: ReferenceCache,
  alertBus?: AlertBus,
): Context {
  return {
    viewer,
    lang: langFromAcceptLanguage(acceptLanguage),
    db,
    loaders: createLoaders(db, viewer, reference),
    access: new AccessRecord(),
    ...(alertBus ? { alertBus } : {}),
  };
}
