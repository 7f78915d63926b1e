-- Triage per organization (issue 15): one global status let SCO RATS acknowledge a Kazakhstan alert for the
-- whole network (kaz-ct then got CONFLICT). Each organization now has its own triage of an alert
-- (alert_triage: state, assignee, when it was acknowledged and escalated) and an append-only thread of
-- notes (alert_triage_notes). The network's coordinators (UNRCCA and UNOCT, who run it jointly) are marked
-- in organizations.coordinates_network; audit entries name the alerts a write changed (alert_ids).
CREATE TABLE "alert_triage" (
	"alert_id" uuid NOT NULL,
	"organization_id" text NOT NULL,
	"state" text DEFAULT 'NEW' NOT NULL,
	"assignee_sub" text,
	"acknowledged_at" timestamp (3) with time zone,
	"escalated_at" timestamp (3) with time zone,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_by_sub" text NOT NULL,
	CONSTRAINT "alert_triage_alert_id_organization_id_pk" PRIMARY KEY("alert_id","organization_id"),
	CONSTRAINT "alert_triage_state" CHECK ("alert_triage"."state" in ('NEW', 'ACKNOWLEDGED', 'IN_REVIEW', 'ESCALATED', 'DISMISSED', 'CLOSED'))
);
--> statement-breakpoint
CREATE TABLE "alert_triage_notes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "alert_triage_notes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"alert_id" uuid NOT NULL,
	"organization_id" text NOT NULL,
	"author_sub" text NOT NULL,
	"written_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"body" text NOT NULL,
	"state" text,
	CONSTRAINT "alert_triage_notes_state" CHECK ("alert_triage_notes"."state" is null or "alert_triage_notes"."state" in ('NEW', 'ACKNOWLEDGED', 'IN_REVIEW', 'ESCALATED', 'DISMISSED', 'CLOSED'))
);
--> statement-breakpoint
ALTER TABLE "alerts" DROP CONSTRAINT "alerts_acknowledged_by_org_id_organizations_id_fk";
--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "coordinates_network" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "alert_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_triage" ADD CONSTRAINT "alert_triage_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_triage" ADD CONSTRAINT "alert_triage_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_triage_notes" ADD CONSTRAINT "alert_triage_notes_triage_fk" FOREIGN KEY ("alert_id","organization_id") REFERENCES "public"."alert_triage"("alert_id","organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_triage_org_state_idx" ON "alert_triage" USING btree ("organization_id","state");--> statement-breakpoint
CREATE INDEX "alert_triage_updated_idx" ON "alert_triage" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "alert_triage_notes_thread_idx" ON "alert_triage_notes" USING btree ("alert_id","organization_id","id" DESC NULLS LAST);--> statement-breakpoint
-- The network's coordinators: UNRCCA and UNOCT run it jointly (the sample data's ids; a deployment with
-- other ids sets the flag on its own coordinating organizations).
UPDATE "organizations" SET "coordinates_network" = true WHERE "id" IN ('unrcca', 'unoct');--> statement-breakpoint
-- Existing acknowledgements become the acknowledging organization's triage: ACKNOWLEDGED since it was
-- acknowledged, by the person who did it, with the acknowledgement note as the first note of its thread.
-- acknowledgeAlert always wrote the organization, the person, the time and the note together; a row
-- without an organization or person was not written by it and names nobody to give it to, so it is left.
INSERT INTO "alert_triage" ("alert_id", "organization_id", "state", "acknowledged_at", "updated_at", "updated_by_sub")
  SELECT "id", "acknowledged_by_org_id", 'ACKNOWLEDGED', coalesce("acknowledged_at", "raised_at"), coalesce("acknowledged_at", "raised_at"), "acknowledged_by_sub"
  FROM "alerts"
  WHERE "status" = 'ACKNOWLEDGED' AND "acknowledged_by_org_id" IS NOT NULL AND "acknowledged_by_sub" IS NOT NULL;--> statement-breakpoint
INSERT INTO "alert_triage_notes" ("alert_id", "organization_id", "author_sub", "written_at", "body", "state")
  SELECT "id", "acknowledged_by_org_id", "acknowledged_by_sub", coalesce("acknowledged_at", "raised_at"), "acknowledgement_note", 'ACKNOWLEDGED'
  FROM "alerts"
  WHERE "status" = 'ACKNOWLEDGED' AND "acknowledged_by_org_id" IS NOT NULL AND "acknowledged_by_sub" IS NOT NULL AND "acknowledgement_note" IS NOT NULL;--> statement-breakpoint
-- The global columns go: kept, they would be a second, network-wide triage that any read could leak.
DROP INDEX "alerts_open_idx";--> statement-breakpoint
ALTER TABLE "alerts" DROP COLUMN "status";--> statement-breakpoint
ALTER TABLE "alerts" DROP COLUMN "acknowledged_at";--> statement-breakpoint
ALTER TABLE "alerts" DROP COLUMN "acknowledged_by_sub";--> statement-breakpoint
ALTER TABLE "alerts" DROP COLUMN "acknowledged_by_org_id";--> statement-breakpoint
ALTER TABLE "alerts" DROP COLUMN "acknowledgement_note";