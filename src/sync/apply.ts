import type { Db } from '../db/database.js';
import {
  applyObservationCopy,
  applyReportCopy,
  CopyRefused,
  revokeCopiedGrant,
  withdrawCopy,
  type CopiedGrant,
  type CopyOutcome,
  type ObservationCopy,
  type ReportCopy,
} from '../db/queries/copies.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * The receiving side of a pull (issue 17, item 3): one entry of a peer's page (src/sync/entries.ts, as
 * JSON) applied to our copies (src/db/queries/copies.ts). An entry is checked before anything is written:
 * the origin must be the peer we pull from (a peer speaks for its own records, never relays another's),
 * TLP:RED is refused whatever arrives, and a field the copy cannot do without must be there.
 */

type Json = Record<string, unknown>;

const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || v === '') throw new CopyRefused(`the entry has no ${name}`);
  return v;
};
const optStr = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown, name: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new CopyRefused(`the entry has no ${name}`);
  return v;
};
const date = (v: unknown, name: string): Date => {
  const d = new Date(str(v, name));
  if (Number.isNaN(d.getTime())) throw new CopyRefused(`the entry's ${name} is not a date`);
  return d;
};
const optDate = (v: unknown, name: string): Date | null => (v === null || v === undefined ? null : date(v, name));
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

const COPYABLE_MARKINGS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT'] as const;

function common(peerId: string, entry: Json) {
  const origin = entry.origin as Json | undefined;
  if (origin?.instance !== peerId) throw new CopyRefused(`the entry's origin is "${String(origin?.instance)}", not the peer "${peerId}" it came from: records are copied from their origin only`);
  const tlp = str(entry.tlp, 'tlp');
  if (!(COPYABLE_MARKINGS as readonly string[]).includes(tlp)) throw new CopyRefused(`TLP:${tlp} is never copied`);
  const grants: CopiedGrant[] = (Array.isArray(entry.grants) ? (entry.grants as Json[]) : []).map((g) => ({
    id: str(g.id, 'grant id'),
    organizationId: str(g.organizationId, 'grant organization'),
    grantedAt: date(g.grantedAt, 'grantedAt'),
    expiresAt: optDate(g.expiresAt, 'expiresAt'),
  }));
  return { originInstance: peerId, id: str(entry.id, 'id'), revision: num(entry.revision, 'revision'), tlp: tlp as ReportCopy['tlp'], grants, organization: str(origin.organization, 'origin organization') };
}

function reportCopy(peerId: string, entry: Json): ReportCopy {
  const { organization, ...base } = common(peerId, entry);
  const f = (entry.fields ?? {}) as Json;
  const title = (f.title ?? {}) as Json;
  const author = str(f.author, 'author');
  if (author !== organization) throw new CopyRefused(`the entry's author "${author}" is not its origin organization "${organization}"`);
  return {
    ...base,
    countries: strings(f.countries),
    indicators: strings(f.indicators),
    content: {
      titleEn: optStr(title.en),
      titleRu: optStr(title.ru),
      summary: str(f.summary, 'summary'),
      body: typeof f.body === 'string' ? f.body : '',
      language: str(f.language, 'language') as ReportCopy['content']['language'],
      kind: str(f.kind, 'kind') as ReportCopy['content']['kind'],
      topics: strings(f.topics),
      authorOrgId: author,
      // No person of ours wrote it: the origin instance stands in (never a `sub` a token could carry).
      authorSub: `instance:${peerId}`,
      publishedAt: date(f.publishedAt, 'publishedAt'),
      updatedAt: date(f.updatedAt, 'updatedAt'),
      sourceReliability: str(f.sourceReliability, 'sourceReliability') as ReportCopy['content']['sourceReliability'],
      informationCredibility: num(f.informationCredibility, 'informationCredibility'),
      sourceDescription: optStr(f.sourceDescription),
      sanctionsReferences: strings(f.sanctionsReferences),
      retractedAt: optDate(f.retractedAt, 'retractedAt'),
      retractionReason: optStr(f.retractionReason),
      tearlineOf: optStr(f.tearlineOf),
    },
  };
}

function observationCopy(peerId: string, entry: Json): ObservationCopy {
  const { organization, ...base } = common(peerId, entry);
  const f = (entry.fields ?? {}) as Json;
  const source = str(f.source, 'source');
  if (source !== organization) throw new CopyRefused(`the entry's source "${source}" is not its origin organization "${organization}"`);
  return {
    ...base,
    content: {
      indicatorCode: str(f.indicator, 'indicator'),
      countryIso3: str(f.country, 'country'),
      periodStart: str(f.periodStart, 'periodStart'),
      value: num(f.value, 'value'),
      sourceOrgId: source,
      recordedBySub: optStr(f.recordedBy) ?? `instance:${peerId}`,
      sourceReliability: str(f.sourceReliability, 'sourceReliability') as ObservationCopy['content']['sourceReliability'],
      informationCredibility: num(f.informationCredibility, 'informationCredibility'),
      note: optStr(f.note),
      status: str(f.status, 'status') as ObservationCopy['content']['status'],
      sourceReportId: optStr(f.sourceReport),
      recordedAt: date(f.recordedAt, 'recordedAt'),
    },
  };
}

const recordKind = (v: unknown): 'REPORT' | 'OBSERVATION' => {
  if (v !== 'REPORT' && v !== 'OBSERVATION') throw new CopyRefused(`unknown kind of record "${String(v)}"`);
  return v;
};

/** Applies one entry from `peerId` in the caller's transaction; CopyRefused says why it cannot be. */
export async function applyEntry(tx: Tx, peerId: string, entry: Json): Promise<CopyOutcome> {
  switch (entry.type) {
    case 'record':
      return recordKind(entry.kind) === 'REPORT' ? applyReportCopy(tx, reportCopy(peerId, entry)) : applyObservationCopy(tx, observationCopy(peerId, entry));
    case 'revocation':
      return revokeCopiedGrant(tx, peerId, recordKind(entry.kind), str(entry.recordId, 'recordId'), str(entry.grantId, 'grantId'), optDate(entry.at, 'at'));
    case 'withdrawal':
      return withdrawCopy(tx, peerId, recordKind(entry.kind), str(entry.recordId, 'recordId'));
    default:
      throw new CopyRefused(`unknown type of entry "${String(entry.type)}"`);
  }
}
