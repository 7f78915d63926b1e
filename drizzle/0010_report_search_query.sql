-- Search finds word forms, not only the one stem the stemmer gives a word (issue 15). The 'russian'
-- configuration stems ASCII words in English and Cyrillic ones in Russian, but it relates no derived words
-- ("propagandists" is 'propagandist', "propaganda" 'propaganda'; "террористы" 'террорист', "терроризм"
-- 'терроризм'), and the Russian stemmer cuts some nominatives shorter than their other cases ("Казахстан" is
-- 'казахста', "Казахстане" 'казахстан': the nominative's final н reads as a verb ending). A dictionary of our
-- own cannot be installed by a migration (PGlite and a stock server take no files into tsearch_data), so the
-- documents keep their vector and GIN index (reports_search_idx, which serves prefix matches) and the query
-- widens instead. Each plain lexeme of websearch_to_tsquery('russian', q) becomes a prefix match of the first
-- of these with at least 5 letters: its stem (a Cyrillic lexeme stemmed once more, which gives the shorter
-- nominative stem: 'казахстан' → 'казахста'; a Latin one as it is) less a derivational ending (Latin -ist,
-- -a; Cyrillic -ист, -изм, -истск, -истическ); that stem; the lexeme itself. A shorter lexeme stays exact:
-- 'test':* would find "testimony", 'труд':* "трудности". Only lexemes are replaced: phrases, -word and "or"
-- keep their meaning.
-- No EXCEPTION block: PostgreSQL before 17 refuses subtransactions in a parallel plan, and nothing here can
-- fail for any text websearch_to_tsquery takes (only plain letter lexemes are rebuilt as tsquery literals).
CREATE FUNCTION "report_search_query"(q text) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  matched tsquery := websearch_to_tsquery('russian'::regconfig, q);
  word text;
  stem text;
  base text;
BEGIN
  FOR word IN SELECT unnest(tsvector_to_array(to_tsvector('russian'::regconfig, q))) LOOP
    CONTINUE WHEN word !~ '^([a-z]+|[а-яё]+)$';
    stem := CASE WHEN word ~ '^[а-яё]' THEN coalesce((ts_lexize('russian_stem', word))[1], word) ELSE word END;
    base := regexp_replace(stem, '(ist|a|истическ|истск|ист|изм)$', '');
    IF length(base) < 5 THEN base := stem; END IF;
    IF length(base) < 5 THEN base := word; END IF;
    CONTINUE WHEN length(base) < 5;
    matched := ts_rewrite(matched, format('%L', word)::tsquery, format('%L:*', base)::tsquery);
  END LOOP;
  RETURN matched;
END $$;
