-- One row per upload. Rows with the same bytes share one set of files, named by `sha256`; the
-- files go when the last row naming them does.
CREATE TABLE images (
    id          uuid PRIMARY KEY,
    sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    mime        text NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'image/webp', 'image/gif')),
    -- After the EXIF orientation is applied: as the picture is seen.
    width       integer NOT NULL CHECK (width > 0),
    height      integer NOT NULL CHECK (height > 0),
    -- The size of the file served as the original (metadata removed).
    size_bytes  bigint NOT NULL CHECK (size_bytes > 0),
    blurhash    text NOT NULL,
    title       text,
    alt         text NOT NULL DEFAULT '',
    caption     text,
    credit      text,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1
);
CREATE INDEX images_sha256_idx ON images (sha256);
CREATE INDEX images_created_idx ON images (created_at DESC, id DESC);

ALTER TABLE authors
    ADD CONSTRAINT authors_avatar_id_fkey FOREIGN KEY (avatar_id) REFERENCES images (id) ON DELETE SET NULL;
CREATE INDEX authors_avatar_id_idx ON authors (avatar_id);

ALTER TABLE articles
    ADD CONSTRAINT articles_cover_image_id_fkey FOREIGN KEY (cover_image_id) REFERENCES images (id) ON DELETE SET NULL;
CREATE INDEX articles_cover_image_id_idx ON articles (cover_image_id);

-- The images a body shows (`image:<id>` references): what keeps an image in use, and which
-- bodies to render again when an image's caption or credit changes.
ALTER TABLE articles ADD COLUMN body_image_ids uuid[] NOT NULL DEFAULT '{}';
CREATE INDEX articles_body_image_ids_idx ON articles USING gin (body_image_ids);
