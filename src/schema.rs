// @generated automatically by Diesel CLI.

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
        body_image_ids -> Array<Nullable<Uuid>>,
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
    images (id) {
        id -> Uuid,
        sha256 -> Text,
        mime -> Text,
        width -> Int4,
        height -> Int4,
        size_bytes -> Int8,
        blurhash -> Text,
        title -> Nullable<Text>,
        alt -> Text,
        caption -> Nullable<Text>,
        credit -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
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
    site_settings (id) {
        id -> Bool,
        title -> Text,
        description -> Text,
        logo_id -> Nullable<Uuid>,
        copyright -> Text,
        footer -> Text,
        icp_record -> Text,
        locale -> Text,
        timezone -> Text,
        updated_at -> Timestamptz,
        version -> Int4,
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
diesel::joinable!(article_slug_history -> articles (article_id));
diesel::joinable!(articles -> categories (category_id));
diesel::joinable!(articles -> images (cover_image_id));
diesel::joinable!(articles -> users (created_by));
diesel::joinable!(authors -> images (avatar_id));
diesel::joinable!(authors -> users (user_id));
diesel::joinable!(images -> users (created_by));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(site_settings -> images (logo_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    article_revisions,
    article_slug_history,
    articles,
    authors,
    categories,
    images,
    refresh_tokens,
    site_settings,
    tags,
    users,
);
