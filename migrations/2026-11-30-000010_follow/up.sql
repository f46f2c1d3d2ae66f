-- Scheduled take-down: from `unpublish_at` on an article is no longer live (the visibility rule
-- checks it), and the take-down job archives it.
ALTER TABLE articles ADD COLUMN unpublish_at timestamptz;
-- The job looks for live articles whose take-down time has come.
CREATE INDEX articles_unpublish_due_idx ON articles (unpublish_at)
    WHERE unpublish_at IS NOT NULL AND status IN ('published', 'scheduled');

-- Preview links: a random token shown once and kept only as its SHA-256, scoped to one article.
CREATE TABLE preview_tokens (
    id          uuid PRIMARY KEY,
    article_id  uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    token_hash  text NOT NULL CONSTRAINT preview_tokens_token_hash_key UNIQUE,
    expires_at  timestamptz NOT NULL,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX preview_tokens_article_idx ON preview_tokens (article_id);
CREATE INDEX preview_tokens_expires_idx ON preview_tokens (expires_at);

-- The take-down job names its change `unpublished` (the trigger would call an archive `archived`),
-- so hooks get `article.unpublished`; and an edit that moved only the version is recorded, since
-- what readers get (`version`, `updated_at`) changed.
CREATE OR REPLACE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind text := TG_ARGV[0];
    before_row jsonb;
    after_row jsonb;
    changes jsonb := '{}';
    actor text := coalesce(nullif(current_setting('masthead.actor', true), ''), 'system');
    hint text := nullif(current_setting('masthead.action', true), '');
    action text;
    resource_id uuid;
BEGIN
    IF TG_OP <> 'INSERT' THEN before_row := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN after_row := to_jsonb(NEW); END IF;
    -- One set-based pass over the row's fields (a loop appending to a jsonb copies it each time).
    SELECT coalesce(jsonb_object_agg(field, CASE
               WHEN field IN ('password_hash', 'key_hash', 'token_hash', 'secret', 'headers')
                   THEN '{"redacted": true}'::jsonb
               WHEN field IN ('body_html', 'body_text', 'body_image_ids')
                   THEN '{"derived": true}'::jsonb
               WHEN TG_OP = 'INSERT' THEN jsonb_build_object('after', after_row -> field)
               WHEN TG_OP = 'DELETE' THEN jsonb_build_object('before', before_row -> field)
               ELSE jsonb_build_object('before', before_row -> field, 'after', after_row -> field)
           END), '{}')
    INTO changes
    FROM jsonb_object_keys(coalesce(after_row, before_row)) AS field
    -- Bookkeeping that changes with everything (or with every click) says nothing.
    WHERE field NOT IN ('updated_at', 'version', 'clicks', 'consecutive_failures')
      AND (TG_OP <> 'UPDATE' OR before_row -> field IS DISTINCT FROM after_row -> field);
    -- An edit that left every field as it was still moved `version` and `updated_at`, which
    -- readers get: followers (sync, live events) must hear of it too.
    IF TG_OP = 'UPDATE' AND changes = '{}'
       AND before_row -> 'version' IS NOT DISTINCT FROM after_row -> 'version' THEN
        RETURN NULL;
    END IF;

    action := CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'DELETE' THEN 'deleted' ELSE 'updated' END;
    IF TG_OP = 'UPDATE' AND kind = 'article' THEN
        action := CASE
            WHEN changes ? 'deleted_at' AND after_row ->> 'deleted_at' IS NOT NULL THEN 'trashed'
            WHEN changes ? 'deleted_at' THEN 'restored'
            -- The take-down job archives an article whose `unpublish_at` has come.
            WHEN changes ? 'status' AND hint = 'unpublished' THEN 'unpublished'
            WHEN changes ? 'status' THEN CASE after_row ->> 'status'
                WHEN 'published' THEN 'published'
                WHEN 'scheduled' THEN 'scheduled'
                WHEN 'archived' THEN 'archived'
                ELSE 'unpublished' END
            WHEN hint IS NOT NULL THEN hint
            WHEN changes ? 'slug' THEN 'slug_changed'
            ELSE 'updated' END;
    ELSIF TG_OP = 'UPDATE' AND kind = 'user' THEN
        action := CASE
            WHEN changes ? 'role' THEN 'role_changed'
            WHEN changes ? 'active' THEN
                CASE WHEN (after_row ->> 'active')::boolean THEN 'activated' ELSE 'deactivated' END
            WHEN changes ? 'password_hash' THEN 'password_changed'
            ELSE 'updated' END;
    ELSIF kind = 'link' THEN
        action := CASE
            WHEN TG_OP = 'INSERT' AND NOT (after_row ->> 'approved')::boolean THEN 'applied'
            WHEN TG_OP = 'UPDATE' AND changes ? 'approved' THEN
                CASE WHEN (after_row ->> 'approved')::boolean THEN 'approved' ELSE 'unapproved' END
            ELSE action END;
    ELSIF TG_OP = 'UPDATE' AND kind = 'webhook' THEN
        action := CASE
            WHEN changes ? 'secret' THEN 'secret_rotated'
            WHEN changes ? 'active' THEN
                CASE WHEN (after_row ->> 'active')::boolean THEN 'enabled' ELSE 'disabled' END
            ELSE 'updated' END;
    ELSIF TG_OP = 'DELETE' AND kind = 'api_key' THEN
        action := 'revoked';
    END IF;

    IF kind <> 'site' THEN
        resource_id := (coalesce(after_row, before_row) ->> 'id')::uuid;
    END IF;
    INSERT INTO change_log (actor_type, actor_id, resource, resource_id, action, changes)
    VALUES (
        split_part(actor, ':', 1),
        nullif(split_part(actor, ':', 2), '')::uuid,
        kind, resource_id, action, changes
    );
    RETURN NULL;
END
$$;
