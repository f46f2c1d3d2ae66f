ALTER TABLE carousels DROP COLUMN preset;
DROP INDEX site_settings_watermark_image_id_idx;
ALTER TABLE site_settings
    DROP COLUMN presets,
    DROP COLUMN watermark_image_id,
    DROP COLUMN watermark_position,
    DROP COLUMN watermark_opacity,
    DROP COLUMN watermark_size,
    DROP COLUMN watermark_variants;
DROP INDEX images_source_url_idx;
ALTER TABLE images
    DROP COLUMN focal_x,
    DROP COLUMN focal_y,
    DROP COLUMN crops,
    DROP COLUMN source_url;
