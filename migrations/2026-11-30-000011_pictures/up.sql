-- Where a picture's subject is, as fractions of its width and height from the top left: crops
-- for the presets' shapes keep it in view. `crops` overrides it per preset with a rectangle in
-- the picture's pixels: {"card": {"x": 0, "y": 120, "width": 4000, "height": 3000}}.
ALTER TABLE images
    ADD COLUMN focal_x double precision NOT NULL DEFAULT 0.5 CHECK (focal_x BETWEEN 0 AND 1),
    ADD COLUMN focal_y double precision NOT NULL DEFAULT 0.5 CHECK (focal_y BETWEEN 0 AND 1),
    ADD COLUMN crops jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(crops) = 'object'),
    -- The http(s) URL an imported picture was fetched from; importing it again finds this row.
    ADD COLUMN source_url text;
CREATE UNIQUE INDEX images_source_url_idx ON images (source_url);

-- Presets beyond the built-in hero, card and square (or replacing them by name), and the
-- watermark drawn on the derived files of the presets marked for it.
ALTER TABLE site_settings
    ADD COLUMN presets jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(presets) = 'array'),
    ADD COLUMN watermark_image_id uuid REFERENCES images (id) ON DELETE SET NULL,
    ADD COLUMN watermark_position text NOT NULL DEFAULT 'bottom-right' CHECK (watermark_position IN
        ('top-left', 'top', 'top-right', 'left', 'center', 'right', 'bottom-left', 'bottom', 'bottom-right')),
    ADD COLUMN watermark_opacity double precision NOT NULL DEFAULT 0.6
        CHECK (watermark_opacity > 0 AND watermark_opacity <= 1),
    -- The watermark's width as a fraction of the picture's.
    ADD COLUMN watermark_size double precision NOT NULL DEFAULT 0.2
        CHECK (watermark_size > 0 AND watermark_size <= 1),
    -- Whether the width variants carry it too; the clean original is then for staff only.
    ADD COLUMN watermark_variants boolean NOT NULL DEFAULT false;
CREATE INDEX site_settings_watermark_image_id_idx ON site_settings (watermark_image_id);

-- The preset whose files the slides embed.
ALTER TABLE carousels ADD COLUMN preset text NOT NULL DEFAULT 'hero';
