-- The articles readers may have seen. Sync and live events send a tombstone only for these: an
-- article scheduled and pulled before its time (an embargo) must not have its id and slug
-- announced to every follower. Kept past a purge, which is when the tombstone is needed most.
CREATE TABLE articles_seen (
    article_id uuid PRIMARY KEY
);

-- A row that is live, or that went live by the clock since it was written (a scheduled time
-- passing needs no write), has been seen; every write notes it before the row changes or goes.
CREATE FUNCTION note_article_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL
            AND OLD.status IN ('published', 'scheduled') AND OLD.published_at <= now())
       OR (TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL
            AND NEW.status IN ('published', 'scheduled') AND NEW.published_at <= now()
            AND (NEW.unpublish_at IS NULL OR NEW.unpublish_at > now())) THEN
        INSERT INTO articles_seen (article_id) VALUES (coalesce(NEW.id, OLD.id))
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_note_seen AFTER INSERT OR UPDATE OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION note_article_seen();

-- Articles published or archived with their time come were seen.
INSERT INTO articles_seen (article_id)
SELECT id FROM articles
WHERE status IN ('published', 'scheduled', 'archived') AND published_at <= now();
