DROP INDEX articles_slug_prefix_idx;
DROP INDEX article_slug_history_slug_prefix_idx;
DROP INDEX authors_slug_prefix_idx;
DROP INDEX categories_slug_prefix_idx;
DROP INDEX tags_slug_prefix_idx;
