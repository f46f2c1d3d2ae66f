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
        unpublish_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    articles_seen (article_id) {
        article_id -> Uuid,
    }
}

diesel::table! {
    auth_events (id) {
        id -> Int8,
        at -> Timestamptz,
        action -> Text,
        user_id -> Nullable<Uuid>,
        email -> Nullable<Text>,
        address -> Nullable<Text>,
        user_agent -> Nullable<Text>,
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
    carousel_clicks (slide_id, idempotency_key) {
        slide_id -> Uuid,
        idempotency_key -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    carousel_slides (id) {
        id -> Uuid,
        carousel_id -> Uuid,
        image_id -> Uuid,
        title -> Nullable<Text>,
        caption -> Nullable<Text>,
        link_url -> Nullable<Text>,
        article_id -> Nullable<Uuid>,
        position -> Int4,
        starts_at -> Nullable<Timestamptz>,
        ends_at -> Nullable<Timestamptz>,
        clicks -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    carousels (id) {
        id -> Uuid,
        key -> Text,
        name -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        fallback_slide_id -> Nullable<Uuid>,
        preset -> Text,
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
    change_consumers (name) {
        name -> Text,
        last_seq -> Int8,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    change_log (id) {
        id -> Int8,
        seq -> Nullable<Int8>,
        tx -> Int8,
        at -> Timestamptz,
        actor_type -> Text,
        actor_id -> Nullable<Uuid>,
        resource -> Text,
        resource_id -> Nullable<Uuid>,
        action -> Text,
        changes -> Jsonb,
    }
}

diesel::table! {
    image_uploads (id) {
        id -> Uuid,
        sha256 -> Text,
        started_at -> Timestamptz,
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
        focal_x -> Float8,
        focal_y -> Float8,
        crops -> Jsonb,
        source_url -> Nullable<Text>,
    }
}

diesel::table! {
    links (id) {
        id -> Uuid,
        name -> Text,
        url -> Text,
        logo_id -> Nullable<Uuid>,
        group -> Text,
        position -> Int4,
        approved -> Bool,
        contact_email -> Nullable<Text>,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    preview_tokens (id) {
        id -> Uuid,
        article_id -> Uuid,
        token_hash -> Text,
        expires_at -> Timestamptz,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
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
        presets -> Jsonb,
        watermark_image_id -> Nullable<Uuid>,
        watermark_position -> Text,
        watermark_opacity -> Float8,
        watermark_size -> Float8,
        watermark_variants -> Bool,
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

diesel::table! {
    webhook_attempts (id) {
        id -> Int8,
        delivery_id -> Uuid,
        number -> Int4,
        started_at -> Timestamptz,
        duration_ms -> Int4,
        outcome -> Text,
        response_status -> Nullable<Int4>,
        error -> Nullable<Text>,
        response_body -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        webhook_id -> Uuid,
        event -> Text,
        change_seq -> Nullable<Int8>,
        body -> Text,
        state -> Text,
        attempts -> Int4,
        next_attempt_at -> Nullable<Timestamptz>,
        leased_until -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Uuid,
        url -> Text,
        events -> Array<Nullable<Text>>,
        description -> Text,
        active -> Bool,
        headers -> Jsonb,
        secret -> Text,
        consecutive_failures -> Int4,
        disabled_reason -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
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
diesel::joinable!(carousel_clicks -> carousel_slides (slide_id));
diesel::joinable!(carousel_slides -> articles (article_id));
diesel::joinable!(carousel_slides -> images (image_id));
diesel::joinable!(images -> users (created_by));
diesel::joinable!(links -> images (logo_id));
diesel::joinable!(preview_tokens -> articles (article_id));
diesel::joinable!(preview_tokens -> users (created_by));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhooks -> users (created_by));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    article_revisions,
    article_slug_history,
    articles,
    articles_seen,
    auth_events,
    authors,
    carousel_clicks,
    carousel_slides,
    carousels,
    categories,
    change_consumers,
    change_log,
    image_uploads,
    images,
    links,
    preview_tokens,
    recommendations,
    refresh_tokens,
    site_settings,
    tags,
    users,
    webhook_attempts,
    webhook_deliveries,
    webhooks,
);
