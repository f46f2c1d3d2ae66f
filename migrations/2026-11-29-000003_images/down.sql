ALTER TABLE articles DROP COLUMN body_image_ids;
DROP INDEX articles_cover_image_id_idx;
ALTER TABLE articles DROP CONSTRAINT articles_cover_image_id_fkey;
DROP INDEX authors_avatar_id_idx;
ALTER TABLE authors DROP CONSTRAINT authors_avatar_id_fkey;
DROP TABLE images;
