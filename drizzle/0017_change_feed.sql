-- Issue 17: the outbox national nodes and the hub read (change_feed). Empty at first: a peer starts
-- from a full copy of what it may see, then follows the feed from the cursor taken before that copy.
CREATE TABLE "change_feed" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "change_feed_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"xid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"kind" text NOT NULL,
	"record_id" uuid NOT NULL,
	"revision" integer,
	"change" text NOT NULL,
	"origin_org_id" text NOT NULL,
	"tlp" "tlp",
	"occurred_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "change_feed_cursor_idx" ON "change_feed" USING btree ("xid","seq");