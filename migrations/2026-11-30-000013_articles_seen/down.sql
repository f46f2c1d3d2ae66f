DROP TRIGGER articles_note_seen ON articles;
DROP FUNCTION note_article_seen();
DROP TABLE articles_seen;
