-- Issue 17: a peer may be told to receive tearlines in place of AMBER sources (explicit downgrade).
CREATE TYPE "public"."peer_downgrade" AS ENUM('NONE', 'TEARLINE');--> statement-breakpoint
ALTER TABLE "peers" ADD COLUMN "downgrade" "peer_downgrade" DEFAULT 'NONE' NOT NULL;