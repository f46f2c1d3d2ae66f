DROP TABLE links;
DROP TABLE carousel_clicks;
ALTER TABLE carousels DROP COLUMN fallback_slide_id;
DROP TABLE carousel_slides;
DROP TABLE carousels;
