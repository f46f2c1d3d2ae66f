-- The site's own settings: exactly one row, made here with defaults, so a read never finds none.
CREATE TABLE site_settings (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    title       text NOT NULL DEFAULT 'Masthead',
    description text NOT NULL DEFAULT '',
    logo_id     uuid REFERENCES images (id) ON DELETE SET NULL,
    copyright   text NOT NULL DEFAULT '',
    footer      text NOT NULL DEFAULT '',
    -- The ICP record number Chinese sites show in their footer (`蒙ICP备05003134号`).
    icp_record  text NOT NULL DEFAULT '',
    locale      text NOT NULL DEFAULT 'zh-CN',
    -- An IANA name, checked against pg_timezone_names when changed.
    timezone    text NOT NULL DEFAULT 'Asia/Shanghai',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1
);
INSERT INTO site_settings DEFAULT VALUES;

-- The site files' ETag is computed from live content (how many rows, which ones, the latest
-- change) without building any file; this index answers it from the index alone.
CREATE INDEX articles_live_fingerprint_idx ON articles (published_at) INCLUDE (updated_at, id)
    WHERE deleted_at IS NULL AND status IN ('published', 'scheduled');
