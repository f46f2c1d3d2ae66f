-- Every change to what Masthead holds, written by triggers in the transaction that makes it, so
-- no write path (a handler, a job, a cascade) can forget it.
--
-- `seq` is the order in which the changes COMMITTED, which is the order consumers read them in.
-- A sequence number taken while a transaction runs would let a long transaction commit a lower
-- number after a reader has passed it; so the number is taken at commit, by a deferred trigger
-- under a transaction-scoped lock that is held until the commit is visible. Writers only queue
-- for that last moment of their commit, never behind each other's whole transaction.
CREATE SEQUENCE change_log_seq;

CREATE TABLE change_log (
    id           bigserial PRIMARY KEY,
    -- Commit order; NULL only inside the writing transaction, never visible to anyone else.
    seq          bigint CONSTRAINT change_log_seq_key UNIQUE,
    -- The writing transaction: changes of one transaction to one resource make one event.
    tx           bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_type   text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system', 'anonymous')),
    actor_id     uuid,
    resource     text NOT NULL,
    resource_id  uuid,
    action       text NOT NULL,
    -- {"field": {"before": …, "after": …}}; secrets are {"redacted": true}, derived text
    -- (rendered HTML, plain text) is {"derived": true}.
    changes      jsonb NOT NULL
);
CREATE INDEX change_log_at_idx ON change_log (at);
CREATE INDEX change_log_resource_idx ON change_log (resource, resource_id, seq);
CREATE INDEX change_log_actor_idx ON change_log (actor_id, seq);

CREATE FUNCTION change_log_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Released only after the commit is visible, so the next writer's number is higher and
    -- every reader that sees it also sees this one.
    PERFORM pg_advisory_xact_lock(7236832923421163521);
    UPDATE change_log SET seq = nextval('change_log_seq'), at = clock_timestamp() WHERE id = NEW.id;
    -- PostgreSQL folds identical notifications, so a transaction sends at most these two:
    -- `content` (readers may see something new: caches must go) and `private` (accounts, keys,
    -- hooks, link applications: only workers need to know).
    PERFORM pg_notify('masthead_changes', CASE
        WHEN NEW.resource IN ('user', 'api_key', 'webhook') OR NEW.action = 'applied' THEN 'private'
        ELSE 'content' END);
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER change_log_commit AFTER INSERT ON change_log
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION change_log_commit();

-- TG_ARGV[0] names the resource. The actor is the session setting `masthead.actor`
-- (`user:<id>`, `api_key:<id>`, `anonymous`; unset is `system`), so rows that a cascade or
-- `SET NULL` changes are recorded with the actor of the statement that caused them.
CREATE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
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
    IF TG_OP = 'UPDATE' AND changes = '{}' THEN
        RETURN NULL;
    END IF;

    action := CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'DELETE' THEN 'deleted' ELSE 'updated' END;
    IF TG_OP = 'UPDATE' AND kind = 'article' THEN
        action := CASE
            WHEN changes ? 'deleted_at' AND after_row ->> 'deleted_at' IS NOT NULL THEN 'trashed'
            WHEN changes ? 'deleted_at' THEN 'restored'
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

CREATE TABLE webhooks (
    id                    uuid PRIMARY KEY,
    url                   text NOT NULL,
    events                text[] NOT NULL,
    description           text NOT NULL DEFAULT '',
    active                boolean NOT NULL DEFAULT true,
    -- Extra headers sent with every call (a frontend's revalidation token, say).
    headers               jsonb NOT NULL DEFAULT '{}',
    -- `whsec_` + base64, as the Standard Webhooks libraries expect; needed in clear to sign.
    secret                text NOT NULL,
    consecutive_failures  integer NOT NULL DEFAULT 0,
    -- Why Masthead turned the hook off by itself (410 Gone, too many failures).
    disabled_reason       text,
    created_by            uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               integer NOT NULL DEFAULT 1
);

-- One message to one hook. The body is rendered once; every attempt sends the same bytes under
-- the same `webhook-id`.
CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY,
    webhook_id       uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event            text NOT NULL,
    change_seq       bigint,
    body             text NOT NULL,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    -- A worker that claimed the delivery owns it until then; committed before the call.
    leased_until     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
-- A worker takes each hook's next due deliveries, and counts each hook's calls in flight.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (webhook_id, next_attempt_at, change_seq)
    WHERE state = 'pending';
CREATE INDEX webhook_deliveries_leased_idx ON webhook_deliveries (webhook_id)
    WHERE leased_until IS NOT NULL;
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (finished_at);

CREATE TABLE webhook_attempts (
    id               bigserial PRIMARY KEY,
    delivery_id      uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    number           integer NOT NULL,
    started_at       timestamptz NOT NULL,
    duration_ms      integer NOT NULL,
    outcome          text NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
    response_status  integer,
    -- Why it failed, when there was no answer (timeout, refused address, connection error).
    error            text,
    -- The first KiB of the answer.
    response_body    text
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, number);

-- Where each consumer of the change log has read to. A consumer locks its row while it works,
-- so only one process at a time advances it.
CREATE TABLE change_consumers (
    name        text PRIMARY KEY,
    last_seq    bigint NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO change_consumers (name) VALUES ('webhooks');

-- Sign-ins and token reuse: security events that change nothing the change log holds.
CREATE TABLE auth_events (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    action      text NOT NULL CHECK (action IN ('sign_in', 'sign_in_failed', 'refresh_token_reused')),
    user_id     uuid,
    email       text,
    address     text,
    user_agent  text
);
CREATE INDEX auth_events_at_idx ON auth_events (at);
CREATE INDEX auth_events_user_idx ON auth_events (user_id, at);

CREATE TRIGGER articles_record_change AFTER INSERT OR UPDATE OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION record_change('article');
CREATE TRIGGER authors_record_change AFTER INSERT OR UPDATE OR DELETE ON authors
    FOR EACH ROW EXECUTE FUNCTION record_change('author');
CREATE TRIGGER categories_record_change AFTER INSERT OR UPDATE OR DELETE ON categories
    FOR EACH ROW EXECUTE FUNCTION record_change('category');
CREATE TRIGGER tags_record_change AFTER INSERT OR UPDATE OR DELETE ON tags
    FOR EACH ROW EXECUTE FUNCTION record_change('tag');
CREATE TRIGGER images_record_change AFTER INSERT OR UPDATE OR DELETE ON images
    FOR EACH ROW EXECUTE FUNCTION record_change('image');
CREATE TRIGGER carousels_record_change AFTER INSERT OR UPDATE OR DELETE ON carousels
    FOR EACH ROW EXECUTE FUNCTION record_change('carousel');
CREATE TRIGGER carousel_slides_record_change AFTER INSERT OR UPDATE OR DELETE ON carousel_slides
    FOR EACH ROW EXECUTE FUNCTION record_change('slide');
CREATE TRIGGER recommendations_record_change AFTER INSERT OR UPDATE OR DELETE ON recommendations
    FOR EACH ROW EXECUTE FUNCTION record_change('recommendation');
CREATE TRIGGER links_record_change AFTER INSERT OR UPDATE OR DELETE ON links
    FOR EACH ROW EXECUTE FUNCTION record_change('link');
CREATE TRIGGER site_settings_record_change AFTER INSERT OR UPDATE OR DELETE ON site_settings
    FOR EACH ROW EXECUTE FUNCTION record_change('site');
CREATE TRIGGER users_record_change AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION record_change('user');
CREATE TRIGGER api_keys_record_change AFTER INSERT OR UPDATE OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION record_change('api_key');
CREATE TRIGGER webhooks_record_change AFTER INSERT OR UPDATE OR DELETE ON webhooks
    FOR EACH ROW EXECUTE FUNCTION record_change('webhook');
