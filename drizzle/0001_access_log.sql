CREATE TABLE "audit_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"occurred_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"actor_sub" text,
	"actor_org_id" text,
	"operation_name" text,
	"document_hash" text,
	"action" text,
	"report_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"observation_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"grant_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"origin_org_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"fields" text[] DEFAULT '{}'::text[] NOT NULL,
	"denied_fields" text[] DEFAULT '{}'::text[] NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_events_occurred_idx" ON "audit_events" USING btree ("occurred_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_events_actor_org_idx" ON "audit_events" USING btree ("actor_org_id","occurred_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_events_reports_idx" ON "audit_events" USING gin ("report_ids");--> statement-breakpoint
CREATE INDEX "audit_events_origins_idx" ON "audit_events" USING gin ("origin_org_ids");