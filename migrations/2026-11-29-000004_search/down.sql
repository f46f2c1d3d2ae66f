DROP TABLE recommendations;
DROP TABLE article_search;
-- pg_trgm stays: other objects may use it, and it is harmless.
