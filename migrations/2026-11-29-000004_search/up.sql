-- Search: one row per article, kept out of `articles` so that the article row stays small and
-- the index can be rebuilt without touching it. The application segments Chinese with jieba and
-- hands PostgreSQL space-separated words; the `simple` configuration then only lower-cases them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE article_search (
    article_id  uuid PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    -- Title (A), subtitle and tags (B), excerpt (C), body (D).
    document    tsvector NOT NULL,
    -- The article's top TF-IDF keywords, for related articles.
    keywords    text[] NOT NULL DEFAULT '{}',
    -- Title and tag names, lower-cased: the trigram fallback for misspelt or partial queries.
    plain       text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX article_search_document_idx ON article_search USING gin (document);
CREATE INDEX article_search_keywords_idx ON article_search USING gin (keywords);
CREATE INDEX article_search_plain_trgm_idx ON article_search USING gin (plain gin_trgm_ops);

-- Curated recommendations: slot `related` ties a target to a source article; any other slot
-- (`editors-picks`, …) is a site-wide ordered list.
CREATE TABLE recommendations (
    id                 uuid PRIMARY KEY,
    slot               text NOT NULL CONSTRAINT recommendations_slot_check
                       CHECK (slot ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slot) <= 64),
    source_article_id  uuid REFERENCES articles (id) ON DELETE CASCADE,
    target_article_id  uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position           integer NOT NULL,
    note               text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    version            integer NOT NULL DEFAULT 1,
    CONSTRAINT recommendations_source_check
        CHECK ((slot = 'related') = (source_article_id IS NOT NULL)),
    CONSTRAINT recommendations_not_self_check
        CHECK (source_article_id IS DISTINCT FROM target_article_id),
    CONSTRAINT recommendations_slot_target_key
        UNIQUE NULLS NOT DISTINCT (slot, source_article_id, target_article_id)
);
CREATE INDEX recommendations_list_idx ON recommendations (slot, source_article_id, position);
CREATE INDEX recommendations_target_idx ON recommendations (target_article_id);
CREATE INDEX recommendations_source_idx ON recommendations (source_article_id)
    WHERE source_article_id IS NOT NULL;
