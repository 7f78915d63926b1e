import type { PeerRow } from '../db/schema/peers.js';

/** What the peer's configuration reads of a record: its kind, its marking and the countries it concerns. */
export interface FilteredRecord {
  kind: 'REPORT' | 'OBSERVATION';
  tlp: string;
  countries: readonly string[];
}

/**
 * The peer's configuration, on top of the row rule and the field policy (which decide for its
 * organization): it can only narrow what goes, never widen it. TLP:RED never goes, whatever the
 * configuration says (the table refuses it too: peers_never_red). A record concerning several countries
 * goes only if every one of them is allowed: a report on Kazakhstan and Uzbekistan is not Kazakhstan's alone.
 */
export function peerConfigAllows(peer: Pick<PeerRow, 'allowedKinds' | 'allowedMarkings' | 'allowedCountries'>, record: FilteredRecord): boolean {
  if (record.tlp === 'RED') return false;
  if (!peer.allowedKinds.includes(record.kind)) return false;
  if (!(peer.allowedMarkings as readonly string[]).includes(record.tlp)) return false;
  return peer.allowedCountries.length === 0 || record.countries.every((c) => peer.allowedCountries.includes(c));
}

/** Markings a TEARLINE downgrade replaces: the report goes as its tearlines below them, never itself. */
const DOWNGRADED = ['AMBER', 'AMBER_STRICT'];
const BELOW_AMBER = ['CLEAR', 'GREEN'];

export function downgradesToTearlines(peer: Pick<PeerRow, 'downgrade'>, tlp: string): boolean {
  return peer.downgrade === 'TEARLINE' && DOWNGRADED.includes(tlp);
}

/** A tearline that may stand in for a downgraded source: marked below AMBER (else it would be downgraded itself). */
export function mayStandIn(tlp: string): boolean {
  return BELOW_AMBER.includes(tlp);
}
