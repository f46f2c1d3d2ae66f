DROP TABLE article_revisions;
DROP TABLE article_slug_history;
DROP TABLE articles;
DROP TABLE tags;
DROP TABLE categories;
DROP TABLE authors;
