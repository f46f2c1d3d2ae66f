-- Values already written stay as they were compressed; new ones use the server's default.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression') THEN
        ALTER TABLE articles
            ALTER COLUMN body SET COMPRESSION DEFAULT,
            ALTER COLUMN body_html SET COMPRESSION DEFAULT,
            ALTER COLUMN body_text SET COMPRESSION DEFAULT;
        ALTER TABLE article_revisions ALTER COLUMN content SET COMPRESSION DEFAULT;
        ALTER TABLE change_log ALTER COLUMN changes SET COMPRESSION DEFAULT;
        ALTER TABLE webhook_deliveries ALTER COLUMN body SET COMPRESSION DEFAULT;
    END IF;
END
$$;
