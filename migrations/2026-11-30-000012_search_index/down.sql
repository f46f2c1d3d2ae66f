CREATE TABLE article_search (
    article_id  uuid PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    document    tsvector NOT NULL,
    keywords    text[] NOT NULL DEFAULT '{}',
    plain       text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX article_search_document_idx ON article_search USING gin (document);
CREATE INDEX article_search_keywords_idx ON article_search USING gin (keywords);
CREATE INDEX article_search_plain_trgm_idx ON article_search USING gin (plain gin_trgm_ops);
