DROP INDEX articles_live_fingerprint_idx;
DROP TABLE site_settings;
