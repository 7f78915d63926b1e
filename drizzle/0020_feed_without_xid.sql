-- The feed is read in publication order now (0019); the transaction-id cursor is gone.
DROP INDEX "change_feed_cursor_idx";--> statement-breakpoint
ALTER TABLE "change_feed" DROP COLUMN "xid";
