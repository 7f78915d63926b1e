CREATE TYPE "public"."peer_downgrade" AS ENUM('NONE', 'TEARLINE');--> statement-breakpoint
ALTER TABLE "peers" ADD COLUMN "downgrade" "peer_downgrade" DEFAULT 'NONE' NOT NULL;