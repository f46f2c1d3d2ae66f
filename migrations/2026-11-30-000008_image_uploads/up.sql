-- Uploads under way, by the bytes they carry. Image records of the same bytes share one set of
-- files; while an upload of those bytes runs, deleting the last record must not remove the
-- files the upload is about to name (or has just written).
CREATE TABLE image_uploads (
    id         uuid PRIMARY KEY,
    sha256     text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX image_uploads_sha256_idx ON image_uploads (sha256);
