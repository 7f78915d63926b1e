/**
 * Admiralty (NATO) grading in STIX. `confidence` is the one property every STIX platform keeps, sorts and
 * filters by; STIX 2.1 Appendix A ("Admiralty Credibility" scale) maps the information-credibility
 * grade to it, so that is the mapping used (a receiving platform maps it back with the same table):
 *
 *   credibility | meaning                    | confidence
 *   1           | confirmed by other sources | 90
 *   2           | probably true              | 70
 *   3           | possibly true              | 50
 *   4           | doubtful                   | 30
 *   5           | improbable                 | 10
 *   6           | truth cannot be judged     | (left out: the scale has no value for it)
 *
 * Source reliability (A–F) has no STIX property; both grades travel unchanged in
 * x_ctewn_source_reliability and x_ctewn_information_credibility (a toplevel-property-extension,
 * src/stix/extensions.ts), so nothing of the grading is lost in the confidence number.
 */
export const CONFIDENCE_OF_CREDIBILITY: Readonly<Record<number, number | undefined>> = { 1: 90, 2: 70, 3: 50, 4: 30, 5: 10, 6: undefined };

export function confidenceOf(informationCredibility: number): number | undefined {
  return CONFIDENCE_OF_CREDIBILITY[informationCredibility];
}
