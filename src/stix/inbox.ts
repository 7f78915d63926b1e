import { stixId } from './ids.js';

/**
 * The TAXII inbox: the one collection a client writes to (contributors: STIX reports, imported by
 * src/stix/import.ts). Not among the readable COLLECTIONS: what is added is read from the reports
 * collection, under the row rule, like every other report. Its id is UUIDv5 of its name in the
 * network's namespace, as the others'.
 */
export const INBOX = {
  id: stixId('collection', 'collection', 'inbox').replace(/^collection--/, ''),
  title: 'CT-EWN inbox',
  description:
    'Write-only. Contributors add STIX 2.1 reports here (with the identities, locations and TLP 2.0 markings they refer to); they become reports of the organization named in your token, or new revisions of its reports with the same STIX id. Read them back from the CT-EWN reports collection.',
} as const;
