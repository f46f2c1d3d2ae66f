-- Search moved into an index each process keeps itself (tantivy, in MASTHEAD_SEARCH_DIR), built
-- from `articles` and kept current from the change log: PostgreSQL's text-search table goes.
DROP TABLE article_search;
