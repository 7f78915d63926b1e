CREATE TYPE "public"."peer_direction" AS ENUM('PUSH', 'PULL', 'BOTH');--> statement-breakpoint
CREATE TYPE "public"."sync_record_kind" AS ENUM('REPORT', 'OBSERVATION');--> statement-breakpoint
CREATE TABLE "peer_token_jtis" (
	"peer_id" text NOT NULL,
	"jti" text NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "peer_token_jtis_peer_id_jti_pk" PRIMARY KEY("peer_id","jti")
);
--> statement-breakpoint
CREATE TABLE "peers" (
	"id" text PRIMARY KEY NOT NULL,
	"base_url" text NOT NULL,
	"organization_id" text NOT NULL,
	"jwks" jsonb NOT NULL,
	"direction" "peer_direction" NOT NULL,
	"allowed_markings" "tlp"[] DEFAULT '{}'::tlp[] NOT NULL,
	"allowed_kinds" "sync_record_kind"[] DEFAULT '{}'::sync_record_kind[] NOT NULL,
	"allowed_countries" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"disabled_at" timestamp (3) with time zone,
	CONSTRAINT "peers_never_red" CHECK (not ('RED' = any("peers"."allowed_markings")))
);
--> statement-breakpoint
ALTER TABLE "peers" ADD CONSTRAINT "peers_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "peer_token_jtis_expires_idx" ON "peer_token_jtis" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "peers_organization_idx" ON "peers" USING btree ("organization_id");