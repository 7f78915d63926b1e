import { createHash } from 'node:crypto';
import { defaultFieldResolver, getNamedType, isAbstractType, isObjectType, type GraphQLFieldResolver, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
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

/** The record types the access log follows: what a response hands out of them is "read". */
const RECORD_TYPES = new Set(['Report', 'Observation', 'Alert']);

/** One value a field handed out (a record, a list of them, or something else, which is ignored). */
function sawValue(value: unknown, access: AccessRecord): void {
  if (Array.isArray(value)) {
    for (const item of value) sawValue(item, access);
  } else if (value instanceof Report) {
    access.sawRecord('report', value.id, value.tlp, value.authorOrgId);
  } else if (value instanceof Observation) {
    access.sawRecord('observation', value.id, value.tlp, value.sourceOrgId);
  } else if (value instanceof Alert) {
    // An alert stands on observations: seeing a non-CLEAR alert is reading the values behind it.
    if (value.tlp !== 'CLEAR') for (const id of value.observationIds) access.observationIds.add(id);
  }
}

const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as PromiseLike<unknown> | null)?.then === 'function';

/**
 * Records every report, observation and alert a response hands out, whatever path it was reached by (a
 * list, a nested list, a connection's edges, a by-id lookup, a federation entity, a subscription event):
 * every field whose type is one of them (or a list, union or interface holding them) records the values
 * its resolver returns — the field's own resolver, after the field policy's wrapper, or the property
 * read. A field's value is handed out once per response position, under graphql-js and under the
 * compiled executor alike (graphql-jit calls `isTypeOf` without the request context, so a completion
 * hook there could not know whose record it is). `isTypeOf` stays as the type check: only a mapped API
 * object is served as one of these types.
 */
export function recordAccessOnResolve(schema: GraphQLSchema): GraphQLSchema {
  const carriesRecords = (type: GraphQLNamedType) =>
    RECORD_TYPES.has(type.name) || (isAbstractType(type) && schema.getPossibleTypes(type).some((member) => RECORD_TYPES.has(member.name)));
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    if (type.name === 'Report') type.isTypeOf = (value) => value instanceof Report;
    if (type.name === 'Observation') type.isTypeOf = (value) => value instanceof Observation;
    if (type.name === 'Alert') type.isTypeOf = (value) => value instanceof Alert;
    for (const field of Object.values(type.getFields())) {
      if (!carriesRecords(getNamedType(field.type))) continue;
      const resolve: GraphQLFieldResolver<unknown, { access: AccessRecord }> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, ctx, info) => {
        const value = resolve(source, args, ctx, info);
        if (!isThenable(value)) {
          sawValue(value, ctx.access);
          return value;
        }
        return Promise.resolve(value).then((resolved) => {
          sawValue(resolved, ctx.access);
          return resolved;
        });
      };
    }
  }
  for (const name of RECORD_TYPES) if (!isObjectType(schema.getType(name))) throw new Error(`the access log expects an object type ${name}`);
  return schema;
}
