// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    api_keys (id) {
        id -> Uuid,
        name -> Text,
        scope -> Text,
        key_hash -> Bytea,
        key_prefix -> Text,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    article_revisions (id) {
        id -> Uuid,
        article_id -> Uuid,
        number -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        created_by -> Nullable<Uuid>,
        content -> Jsonb,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    article_search (article_id) {
        article_id -> Uuid,
        document -> Tsvector,
        keywords -> Array<Nullable<Text>>,
        plain -> Text,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    article_slug_history (slug) {
        slug -> Text,
        article_id -> Uuid,
        retired_at -> Timestamptz,
    }
}

diesel::table! {
    articles (id) {
        id -> Uuid,
        slug -> Text,
        title -> Text,
        subtitle -> Nullable<Text>,
        excerpt -> Text,
        excerpt_is_custom -> Bool,
        body -> Text,
        body_html -> Text,
        body_text -> Text,
        cover_image_id -> Nullable<Uuid>,
        category_id -> Nullable<Uuid>,
        author_ids -> Array<Nullable<Uuid>>,
        tag_ids -> Array<Nullable<Uuid>>,
        status -> Text,
        published_at -> Nullable<Timestamptz>,
        featured -> Bool,
        kind -> Text,
        source -> Nullable<Text>,
        locale -> Text,
        translation_of -> Nullable<Uuid>,
        meta_title -> Nullable<Text>,
        meta_description -> Nullable<Text>,
        canonical_url -> Nullable<Text>,
        word_count -> Int4,
        reading_time_minutes -> Int4,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    authors (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        bio -> Text,
        avatar_id -> Nullable<Uuid>,
        website -> Nullable<Text>,
        user_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    categories (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        description -> Text,
        parent_id -> Nullable<Uuid>,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    recommendations (id) {
        id -> Uuid,
        slot -> Text,
        source_article_id -> Nullable<Uuid>,
        target_article_id -> Uuid,
        position -> Int4,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        family_id -> Uuid,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    tags (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        role -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::joinable!(api_keys -> users (created_by));
diesel::joinable!(article_revisions -> articles (article_id));
diesel::joinable!(article_revisions -> users (created_by));
diesel::joinable!(article_search -> articles (article_id));
diesel::joinable!(article_slug_history -> articles (article_id));
diesel::joinable!(articles -> categories (category_id));
diesel::joinable!(articles -> users (created_by));
diesel::joinable!(authors -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    article_revisions,
    article_search,
    article_slug_history,
    articles,
    authors,
    categories,
    recommendations,
    refresh_tokens,
    tags,
    users,
);
