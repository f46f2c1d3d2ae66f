ALTER TABLE links DROP CONSTRAINT links_position_from_one;
ALTER TABLE carousel_slides DROP CONSTRAINT carousel_slides_position_from_one;
ALTER TABLE links ALTER COLUMN position SET DEFAULT 0;

ALTER TABLE carousel_slides DISABLE TRIGGER carousel_slides_record_change;
ALTER TABLE links DISABLE TRIGGER links_record_change;
UPDATE carousel_slides SET position = position - 1;
UPDATE links SET position = position - 1;
ALTER TABLE carousel_slides ENABLE TRIGGER carousel_slides_record_change;
ALTER TABLE links ENABLE TRIGGER links_record_change;
