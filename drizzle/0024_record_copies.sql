CREATE TABLE "sync_dead_letters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"peer_id" text NOT NULL,
	"entry" jsonb NOT NULL,
	"reason" text NOT NULL,
	"page_after" text,
	"received_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_state" (
	"peer_id" text PRIMARY KEY NOT NULL,
	"cursor" text,
	"last_success_at" timestamp (3) with time zone,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp (3) with time zone,
	"last_error" text
);
--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "origin_instance_id" text;--> statement-breakpoint
ALTER TABLE "observations" ADD COLUMN "origin_instance_id" text;--> statement-breakpoint
ALTER TABLE "sync_dead_letters" ADD CONSTRAINT "sync_dead_letters_peer_id_peers_id_fk" FOREIGN KEY ("peer_id") REFERENCES "public"."peers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_state" ADD CONSTRAINT "sync_state_peer_id_peers_id_fk" FOREIGN KEY ("peer_id") REFERENCES "public"."peers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sync_dead_letters_peer_idx" ON "sync_dead_letters" USING btree ("peer_id","received_at");