import { createHash } from 'node:crypto';
import { isObjectType, type GraphQLSchema } from 'graphql';
import type { Db } from '../db/database.js';
import { appendAuditEvents } from '../db/queries/audit.js';
import type { NewAuditEvent, RecordFields } from '../db/schema/audit.js';
import type { Logger } from '../logger.js';
import { Alert } from '../schema/alert/alert.type.js';
import { Observation } from '../schema/observation/observation.type.js';
import { Report } from '../schema/report/report.type.js';
import type { Viewer } from './viewer.js';

/**
 * What one request saw of restricted data: the non-CLEAR records it returned, the restricted fields it
 * was given and the fields it was refused. Filled while the response is built; turned into one
 * access-log entry when the response is sent.
 */
export class AccessRecord {
  readonly reportIds = new Set<string>();
  readonly observationIds = new Set<string>();
  readonly originOrgIds = new Set<string>();
  readonly fields = new Set<string>();
  readonly deniedFields = new Set<string>();
  /**
   * The same fields by the record they were read on: a record's own access log shows its reader only
   * what concerns that record, never the fields of records the reader may not see.
   */
  readonly recordFields: RecordFields = {};

  sawRecord(kind: 'report' | 'observation', id: string, tlp: string, originOrgId: string): void {
    if (tlp === 'CLEAR') return;
    (kind === 'report' ? this.reportIds : this.observationIds).add(id);
    this.originOrgIds.add(originOrgId);
  }

  /** A restricted field given or refused; `on` is the parent value, attributed when it is a report or an observation. */
  field(path: string, allowed: boolean, originOrgId?: string, on?: unknown): void {
    (allowed ? this.fields : this.deniedFields).add(path);
    if (originOrgId) this.originOrgIds.add(originOrgId);
    if (on instanceof Report || on instanceof Observation) this.attribute(on.id, path, allowed);
  }

  /** A field given on every record of the entry, as an export gives a column on every row it sends. */
  fieldOnEveryRecord(path: string): void {
    this.fields.add(path);
    this.attribute('*', path, true);
  }

  private attribute(key: string, path: string, allowed: boolean): void {
    const entry = (this.recordFields[key] ??= {});
    const list = (allowed ? (entry.fields ??= []) : (entry.deniedFields ??= []));
    if (!list.includes(path)) list.push(path);
  }

  get empty(): boolean {
    return this.reportIds.size + this.observationIds.size + this.fields.size + this.deniedFields.size === 0;
  }

  toEntry(viewer: Viewer, operationName: string | null, document: string | null): NewAuditEvent {
    const returned = this.reportIds.size + this.observationIds.size + this.fields.size > 0;
    return {
      kind: returned ? 'READ' : 'DENIED',
      ...actorOf(viewer),
      operationName,
      documentHash: document ? hashDocument(document) : null,
      reportIds: [...this.reportIds],
      observationIds: [...this.observationIds],
      originOrgIds: [...this.originOrgIds],
      fields: [...this.fields],
      deniedFields: [...this.deniedFields],
      recordFields: this.recordFields,
    };
  }
}

export function actorOf(viewer: Viewer): Pick<NewAuditEvent, 'actorSub' | 'actorOrgId'> {
  return viewer.kind === 'member' ? { actorSub: viewer.sub, actorOrgId: viewer.organizationId } : { actorSub: null, actorOrgId: null };
}

export function hashDocument(document: string): string {
  return createHash('sha256').update(document).digest('hex');
}

/**
 * Read entries are written in batches off the request path (every `intervalMs` or `maxBatch` entries).
 * flush() on graceful shutdown writes what is pending, so no entry is lost; a failed batch is kept and
 * retried with the next one.
 */
export class AccessLogWriter {
  private pending: NewAuditEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly options = { intervalMs: 250, maxBatch: 500 },
  ) {}

  append(entry: NewAuditEvent): void {
    this.pending.push(entry);
    if (this.pending.length >= this.options.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.intervalMs);
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(async () => {
      const batch = this.pending;
      this.pending = [];
      if (batch.length === 0) return;
      try {
        await appendAuditEvents(this.db, batch);
      } catch (error) {
        this.pending = [...batch, ...this.pending];
        this.logger.error({ err: error, entries: batch.length }, 'access log batch not written; will retry');
        this.timer ??= setTimeout(() => void this.flush(), this.options.intervalMs * 4);
      }
    });
    return this.writing;
  }
}

type Completion = (value: unknown, ctx: { access: AccessRecord }) => boolean;

/**
 * Records, once per record, every report, observation and alert a response hands out, whatever path it
 * was reached by (a list, a nested list, a by-id lookup, a federation entity, a subscription event).
 * graphql-js calls an object type's `isTypeOf` exactly once for every value it completes as that type,
 * before any of its fields, so this is "the response contains this record" without wrapping its fields.
 * The instanceof check makes it a real type check too: only a mapped API object is served as one.
 */
const recordOnCompletion: Record<string, Completion> = {
  Report: (value, ctx) => {
    if (!(value instanceof Report)) return false;
    ctx.access.sawRecord('report', value.id, value.tlp, value.authorOrgId);
    return true;
  },
  // An alert stands on observations: seeing a non-CLEAR alert is reading the values behind it.
  Alert: (value, ctx) => {
    if (!(value instanceof Alert)) return false;
    if (value.tlp !== 'CLEAR') for (const id of value.observationIds) ctx.access.observationIds.add(id);
    return true;
  },
  Observation: (value, ctx) => {
    if (!(value instanceof Observation)) return false;
    ctx.access.sawRecord('observation', value.id, value.tlp, value.sourceOrgId);
    return true;
  },
};

export function recordAccessOnCompletion(schema: GraphQLSchema): GraphQLSchema {
  for (const [name, complete] of Object.entries(recordOnCompletion)) {
    const type = schema.getType(name);
    if (!isObjectType(type)) throw new Error(`the access log expects an object type ${name}`);
    type.isTypeOf = (value, ctx: { access: AccessRecord }) => complete(value, ctx);
  }
  return schema;
}
