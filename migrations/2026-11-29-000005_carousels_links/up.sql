CREATE TABLE carousels (
    id                uuid PRIMARY KEY,
    -- Where the frontend shows it: `home-hero`, `sidebar-ad`, …
    key               text NOT NULL CONSTRAINT carousels_key_key UNIQUE,
    name              text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    version           integer NOT NULL DEFAULT 1
);

CREATE TABLE carousel_slides (
    id          uuid PRIMARY KEY,
    carousel_id uuid NOT NULL REFERENCES carousels (id) ON DELETE CASCADE,
    -- A slide is its picture: deleting the image with `force` takes the slide with it.
    image_id    uuid NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    title       text,
    caption     text,
    link_url    text,
    article_id  uuid REFERENCES articles (id) ON DELETE SET NULL,
    position    integer NOT NULL,
    starts_at   timestamptz,
    ends_at     timestamptz,
    clicks      bigint NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1,
    CONSTRAINT carousel_slides_window_check CHECK (ends_at > starts_at),
    CONSTRAINT carousel_slides_one_link_check CHECK (link_url IS NULL OR article_id IS NULL)
);
CREATE INDEX carousel_slides_carousel_idx ON carousel_slides (carousel_id, position);
CREATE INDEX carousel_slides_image_idx ON carousel_slides (image_id);
CREATE INDEX carousel_slides_article_idx ON carousel_slides (article_id);

-- Shown when no other slide of the carousel is active: the house ad of an ad placement.
ALTER TABLE carousels ADD COLUMN fallback_slide_id uuid
    CONSTRAINT carousels_fallback_slide_id_fkey REFERENCES carousel_slides (id) ON DELETE SET NULL;

-- Clicks already counted, by the client's `Idempotency-Key`, so a retried request counts once.
CREATE TABLE carousel_clicks (
    slide_id        uuid NOT NULL REFERENCES carousel_slides (id) ON DELETE CASCADE,
    idempotency_key text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (slide_id, idempotency_key)
);
CREATE INDEX carousel_clicks_created_idx ON carousel_clicks (created_at);

-- Friend links (友情链接); those from the anonymous application form wait for approval.
CREATE TABLE links (
    id            uuid PRIMARY KEY,
    name          text NOT NULL,
    url           text NOT NULL,
    logo_id       uuid REFERENCES images (id) ON DELETE SET NULL,
    "group"       text NOT NULL DEFAULT 'friends',
    position      integer NOT NULL DEFAULT 0,
    approved      boolean NOT NULL DEFAULT false,
    contact_email text,
    note          text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1
);
CREATE INDEX links_public_idx ON links ("group", position, id) WHERE approved;
CREATE INDEX links_logo_idx ON links (logo_id);
