CREATE TABLE authors (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL CONSTRAINT authors_slug_key UNIQUE,
    name        text NOT NULL,
    bio         text NOT NULL DEFAULT '',
    -- An image; the images migration adds the foreign key.
    avatar_id   uuid,
    website     text,
    -- At most one author profile per account.
    user_id     uuid CONSTRAINT authors_user_id_key UNIQUE REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1
);

CREATE TABLE categories (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL CONSTRAINT categories_slug_key UNIQUE,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    parent_id   uuid CONSTRAINT categories_parent_id_fkey REFERENCES categories (id),
    position    integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1
);
CREATE INDEX categories_parent_id_idx ON categories (parent_id);

CREATE TABLE tags (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL CONSTRAINT tags_slug_key UNIQUE,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1
);

-- Authors and tags are arrays on the article: one row read gives the whole article with the
-- authors in order, and GIN indexes serve the `author` and `tag` filters. The application checks
-- that every id exists, in the transaction that writes the article.
CREATE TABLE articles (
    id                   uuid PRIMARY KEY,
    slug                 text NOT NULL CONSTRAINT articles_slug_key UNIQUE,
    title                text NOT NULL,
    subtitle             text,
    excerpt              text NOT NULL DEFAULT '',
    -- false: the excerpt is made from the body and follows it when the body changes.
    excerpt_is_custom    boolean NOT NULL DEFAULT false,
    body                 text NOT NULL DEFAULT '',
    body_html            text NOT NULL DEFAULT '',
    body_text            text NOT NULL DEFAULT '',
    -- An image; the images migration adds the foreign key.
    cover_image_id       uuid,
    category_id          uuid CONSTRAINT articles_category_id_fkey REFERENCES categories (id),
    author_ids           uuid[] NOT NULL DEFAULT '{}',
    tag_ids              uuid[] NOT NULL DEFAULT '{}',
    status               text NOT NULL DEFAULT 'draft'
                         CHECK (status IN ('draft', 'scheduled', 'published', 'archived')),
    published_at         timestamptz,
    featured             boolean NOT NULL DEFAULT false,
    kind                 text NOT NULL DEFAULT 'post' CHECK (kind IN ('post', 'page')),
    source               text,
    locale               text NOT NULL DEFAULT 'zh-CN',
    translation_of       uuid CONSTRAINT articles_translation_of_fkey REFERENCES articles (id) ON DELETE SET NULL,
    meta_title           text,
    meta_description     text,
    canonical_url        text,
    word_count           integer NOT NULL DEFAULT 0,
    reading_time_minutes integer NOT NULL DEFAULT 1,
    created_by           uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    version              integer NOT NULL DEFAULT 1,
    -- Set while the article is in the trash.
    deleted_at           timestamptz,
    CHECK (status NOT IN ('scheduled', 'published') OR published_at IS NOT NULL)
);

-- The public list: live articles, newest first, with the id as the keyset tie-breaker.
CREATE INDEX articles_live_published_idx ON articles (published_at DESC NULLS LAST, id DESC)
    WHERE deleted_at IS NULL AND status IN ('published', 'scheduled');
CREATE INDEX articles_published_idx ON articles (published_at DESC NULLS LAST, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX articles_updated_idx ON articles (updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX articles_title_idx ON articles (title, id) WHERE deleted_at IS NULL;
CREATE INDEX articles_category_idx ON articles (category_id, published_at DESC NULLS LAST, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX articles_author_ids_idx ON articles USING gin (author_ids);
CREATE INDEX articles_tag_ids_idx ON articles USING gin (tag_ids);
CREATE INDEX articles_locale_idx ON articles (locale, published_at DESC NULLS LAST, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX articles_kind_idx ON articles (kind, published_at DESC NULLS LAST, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX articles_status_idx ON articles (status, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX articles_featured_idx ON articles (published_at DESC NULLS LAST, id DESC) WHERE featured AND deleted_at IS NULL;
CREATE INDEX articles_trash_idx ON articles (deleted_at DESC) WHERE deleted_at IS NOT NULL;
CREATE INDEX articles_scheduled_idx ON articles (published_at) WHERE status = 'scheduled';
CREATE INDEX articles_translation_of_idx ON articles (translation_of) WHERE translation_of IS NOT NULL;

-- Slugs an article had before; reads by them answer 301 to the current one.
CREATE TABLE article_slug_history (
    slug        text PRIMARY KEY,
    article_id  uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    retired_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX article_slug_history_article_id_idx ON article_slug_history (article_id);

CREATE TABLE article_revisions (
    id          uuid PRIMARY KEY,
    article_id  uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    number      integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    -- The article's editable content as it was: title, body, authors, tags, SEO, …
    content     jsonb NOT NULL,
    CONSTRAINT article_revisions_number_key UNIQUE (article_id, number)
);
