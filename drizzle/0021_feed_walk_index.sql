-- Issue 16: the TAXII collections walk one kind of record's feed entries in stamp order.
CREATE INDEX "change_feed_kind_published_idx" ON "change_feed" USING btree ("subject_kind","published_at");