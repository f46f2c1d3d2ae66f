-- Finding a free slug asks for every slug starting like the new one (`slug LIKE 'base%'`). The
-- unique indexes use the database's collation, which LIKE cannot search by prefix unless it is
-- "C"; without these, every create read the whole table (found measuring writes at 10,000
-- articles).
CREATE INDEX articles_slug_prefix_idx ON articles (slug text_pattern_ops);
CREATE INDEX article_slug_history_slug_prefix_idx ON article_slug_history (slug text_pattern_ops);
CREATE INDEX authors_slug_prefix_idx ON authors (slug text_pattern_ops);
CREATE INDEX categories_slug_prefix_idx ON categories (slug text_pattern_ops);
CREATE INDEX tags_slug_prefix_idx ON tags (slug text_pattern_ops);
