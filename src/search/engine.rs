//! The search index: tantivy, in this process, in `MASTHEAD_SEARCH_DIR`. What it holds of each
//! article, how documents are made, and the queries (search, the article list's `q`, related
//! articles). Keeping it current is [`super::indexer`]'s.

use std::{
    collections::{BTreeSet, HashMap},
    fs::File,
    ops::Bound,
    path::Path,
    sync::{Arc, Mutex, MutexGuard},
};

use chrono::{DateTime, Utc};
use tantivy::{
    DocAddress, DocId, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Score, Searcher,
    SegmentOrdinal, SegmentReader, TERMINATED, TantivyDocument, Term,
    collector::{Collector, Count, SegmentCollector, TopDocs},
    columnar::{Cardinality, Column, ColumnValues},
    indexer::IndexWriterOptions,
    query::{
        BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring, FuzzyTermQuery, Occur, Query,
        RangeQuery, TermQuery,
    },
    schema::{
        FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
        TextOptions, Value,
    },
};
use uuid::Uuid;

use super::{
    analysis::{self, KeywordCounter},
    model::Source,
    text::Term as QueryTerm,
};
use crate::{articles::model::Status, error::ApiError};

/// Bodies longer than this are indexed by their beginning only: the first pages of a story say
/// what it is about.
const BODY_CHARS: usize = 30_000;
/// The index writer's memory (one indexing thread): bounded, whatever the site's size.
pub const WRITER_HEAP_BYTES: usize = 32 * 1024 * 1024;

/// How much each field weighs: title above subtitle and tags, above excerpt, above body.
const TITLE_BOOST: Score = 5.0;
const SECONDARY_BOOST: Score = 2.5;
const EXCERPT_BOOST: Score = 1.5;
const BODY_BOOST: Score = 1.0;
/// A query in pinyin weighs less than the characters themselves.
const PINYIN_BOOST: Score = 0.4;
/// Words found next to each other, as in the query.
const PHRASE_BOOST: Score = 3.0;

/// The fields of the index.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// The article's id as text: to replace or delete its document.
    pub id: Field,
    /// The id's two halves, as fast fields: read per hit without the document store.
    pub id_hi: Field,
    pub id_lo: Field,
    pub title: Field,
    /// The title's neighbouring words, as [`analysis::pair`]s: a query's words found next to each
    /// other in a title weigh more.
    pub title_pairs: Field,
    /// Subtitle and tag names.
    pub secondary: Field,
    pub excerpt: Field,
    pub body: Field,
    /// Han words spelled in pinyin.
    pub pinyin: Field,
    pub keywords: Field,
    pub tags: Field,
    pub authors: Field,
    pub category: Field,
    pub locale: Field,
    pub kind: Field,
    pub status: Field,
    /// 1 in the trash, else 0.
    pub trashed: Field,
    /// When it went or goes live (seconds since the epoch), if it is published or scheduled and
    /// out of the trash; `i64::MAX` otherwise. Live at `now` once this has come and until
    /// `until`.
    pub live_from: Field,
    /// Seconds since the epoch; `i64::MIN` when never published.
    pub published: Field,
    /// Seconds since the epoch of the take-down; `i64::MAX` when none.
    pub until: Field,
}

impl Fields {
    fn schema() -> (Schema, Self) {
        let mut builder = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                // The words come analysed (see `Opened::document`), separated by spaces.
                .set_tokenizer("whitespace")
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        // Whole values with their counts: scored with BM25 (related articles, neighbouring
        // words).
        let counted = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let kept = counted.clone().set_stored();
        let fields = Self {
            id: builder.add_text_field("id", STRING),
            id_hi: builder.add_u64_field("id_hi", FAST),
            id_lo: builder.add_u64_field("id_lo", FAST),
            title: builder.add_text_field("title", text.clone()),
            title_pairs: builder.add_text_field("title_pairs", counted.clone()),
            secondary: builder.add_text_field("secondary", text.clone()),
            excerpt: builder.add_text_field("excerpt", text.clone()),
            body: builder.add_text_field("body", text),
            pinyin: builder.add_text_field("pinyin", counted),
            keywords: builder.add_text_field("keywords", kept.clone()),
            tags: builder.add_text_field("tags", kept.clone()),
            authors: builder.add_text_field("authors", STRING),
            category: builder.add_text_field("category", kept),
            locale: builder.add_text_field("locale", STRING),
            kind: builder.add_text_field("kind", STRING),
            status: builder.add_text_field("status", STRING),
            trashed: builder.add_u64_field("trashed", INDEXED | FAST),
            live_from: builder.add_i64_field("live_from", FAST),
            published: builder.add_i64_field("published", INDEXED | FAST | STORED),
            until: builder.add_i64_field("until", INDEXED | FAST),
        };
        (builder.build(), fields)
    }
}

/// An open index; the directory is locked for this process.
pub struct Opened {
    pub index: Index,
    pub reader: IndexReader,
    /// Opened on the first write and closed after a quiet spell ([`Self::close_writer`]): an
    /// open writer keeps its threads and a queue for 10,000 documents, memory an idle server
    /// has no use for.
    writer: Mutex<Option<IndexWriter>>,
    pub fields: Fields,
    /// Held for the life of the process: a second process on the same directory is refused.
    _lock: File,
}

/// What the last commit says: the last change applied, and the analysis it was made with.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    pub seq: i64,
    pub analysis: u32,
    /// The transaction that wrote change `seq`: which database the index was made from, as a
    /// change number alone cannot tell (a new database counts from 1 again). Missing from
    /// indexes made before it was kept, which are then rebuilt once.
    #[serde(default)]
    pub tx: Option<i64>,
}

/// Why the index cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "MASTHEAD_SEARCH_DIR {0} is in use by another Masthead process; give each process its own search directory"
    )]
    InUse(String),
    #[error("MASTHEAD_SEARCH_DIR {0}: {1}")]
    Io(String, std::io::Error),
    #[error("MASTHEAD_SEARCH_DIR {0}: the search index cannot be opened: {1}")]
    Index(String, tantivy::TantivyError),
}

impl Opened {
    /// Locks `dir` and opens the index in it, making a new empty one when there is none, it is
    /// damaged, or it was made with another analysis. Returns the stamp of the index found, if
    /// it can be used as it is.
    pub fn open(dir: &Path) -> Result<(Self, Option<Stamp>), OpenError> {
        let shown = dir.display().to_string();
        let io = |e| OpenError::Io(shown.clone(), e);
        std::fs::create_dir_all(dir).map_err(io)?;
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("masthead.lock"))
            .map_err(io)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(OpenError::InUse(shown)),
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        let path = dir.join("index");
        let (schema, fields) = Fields::schema();
        let found = Self::existing(&path, &schema);
        let (index, stamp) = match found {
            Some((index, stamp)) => (index, Some(stamp)),
            None => {
                if path.exists() {
                    std::fs::remove_dir_all(&path).map_err(io)?;
                }
                std::fs::create_dir_all(&path).map_err(io)?;
                let index = Index::create_in_dir(&path, schema)
                    .map_err(|e| OpenError::Index(shown.clone(), e))?;
                (index, None)
            }
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| OpenError::Index(shown.clone(), e))?;
        Ok((
            Self {
                index,
                reader,
                writer: Mutex::new(None),
                fields,
                _lock: lock,
            },
            stamp,
        ))
    }

    /// Runs `work` with the index writer, opening it when it is closed.
    pub fn with_writer<T>(
        &self,
        work: impl FnOnce(&mut IndexWriter) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut slot = self.writer_slot()?;
        let writer = match &mut *slot {
            Some(writer) => writer,
            empty => empty.insert(
                self.index
                    .writer_with_options(
                        IndexWriterOptions::builder()
                            .num_worker_threads(1)
                            .memory_budget_per_thread(WRITER_HEAP_BYTES)
                            // Merges are small and rare; more threads would only compete
                            // with requests for the same cores.
                            .num_merge_threads(1)
                            .build(),
                    )
                    .map_err(ApiError::internal)?,
            ),
        };
        work(writer)
    }

    /// Closes the writer once its merges have ended; whether one was open. Everything written
    /// must have been committed: what was not is lost.
    pub fn close_writer(&self) -> Result<bool, ApiError> {
        let mut slot = self.writer_slot()?;
        // Held until the merges end: tantivy's own lock on the directory is released only then,
        // and a writer opened meanwhile would find it taken.
        match slot.take() {
            Some(writer) => writer
                .wait_merging_threads()
                .map(|()| true)
                .map_err(ApiError::internal),
            None => Ok(false),
        }
    }

    fn writer_slot(&self) -> Result<MutexGuard<'_, Option<IndexWriter>>, ApiError> {
        self.writer
            .lock()
            .map_err(|_| ApiError::internal("the search index writer was poisoned"))
    }

    /// The index in `path` and its stamp, when it opens, has this schema and was made with
    /// this analysis.
    fn existing(path: &Path, schema: &Schema) -> Option<(Index, Stamp)> {
        let index = Index::open_in_dir(path).ok()?;
        if index.schema() != *schema {
            return None;
        }
        let metas = index.load_metas().ok()?;
        let stamp: Stamp = serde_json::from_str(metas.payload.as_deref()?).ok()?;
        (stamp.analysis == analysis::VERSION).then_some((index, stamp))
    }

    /// The document of an article: one analysis pass over its fields gives the words of each
    /// and its keywords.
    pub fn document(&self, source: &Source, tag_names: &HashMap<Uuid, String>) -> Prepared {
        let f = &self.fields;
        let tags: Vec<&str> = source
            .tag_ids
            .iter()
            .filter_map(|id| tag_names.get(id).map(String::as_str))
            .collect();
        let subtitle = source.subtitle.as_deref().unwrap_or_default();
        let secondary = format!("{subtitle} {}", tags.join(" "));
        let body: String = source.body_text.chars().take(BODY_CHARS).collect();
        let mut keywords = KeywordCounter::default();
        let mut pinyin = BTreeSet::new();
        let mut doc = TantivyDocument::default();
        // The title counts twice for keywords: its words say most about the article.
        for (field, text, weight) in [
            (f.title, source.title.as_str(), 2),
            (f.secondary, secondary.as_str(), 1),
            (f.excerpt, source.excerpt.as_str(), 1),
            (f.body, body.as_str(), 1),
        ] {
            let analysed = analysis::analyse(text, |word, pos| keywords.see(word, pos, weight));
            analysis::pinyin_words(&analysed.tokens, &mut pinyin);
            if field == f.title {
                for pair in analysis::neighbours(&analysed.tokens) {
                    doc.add_text(f.title_pairs, pair);
                }
            }
            // As words between spaces: tantivy keeps a pre-tokenized text as JSON, a record per
            // word, written here and parsed again by its indexing thread (a tenth of a
            // rebuild's work, and most of its memory while documents wait to be indexed). The
            // analysis's words hold no spaces.
            let words: Vec<&str> = analysed.tokens.iter().map(|t| t.text.as_str()).collect();
            doc.add_text(field, words.join(" "));
        }
        let keywords = keywords.top();
        let id = source.id.as_u128();
        doc.add_text(f.id, source.id.to_string());
        doc.add_u64(f.id_hi, (id >> 64) as u64);
        doc.add_u64(f.id_lo, id as u64);
        for word in &pinyin {
            doc.add_text(f.pinyin, word);
        }
        for word in &keywords {
            doc.add_text(f.keywords, word);
        }
        for tag in &source.tag_ids {
            doc.add_text(f.tags, tag.to_string());
        }
        for author in &source.author_ids {
            doc.add_text(f.authors, author.to_string());
        }
        if let Some(category) = source.category_id {
            doc.add_text(f.category, category.to_string());
        }
        doc.add_text(f.locale, &source.locale);
        doc.add_text(f.kind, &source.kind);
        doc.add_text(f.status, &source.status);
        doc.add_u64(f.trashed, u64::from(source.trashed));
        let listed = !source.trashed && matches!(source.status.as_str(), "published" | "scheduled");
        let live_from = source.published_at.filter(|_| listed);
        doc.add_i64(f.live_from, live_from.map_or(i64::MAX, |at| at.timestamp()));
        doc.add_i64(
            f.published,
            source.published_at.map_or(i64::MIN, |at| at.timestamp()),
        );
        doc.add_i64(
            f.until,
            source.unpublish_at.map_or(i64::MAX, |at| at.timestamp()),
        );
        Prepared {
            id: source.id,
            doc,
            keywords,
        }
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    fn id_term(&self, id: Uuid) -> Term {
        Term::from_field_text(self.fields.id, &id.to_string())
    }

    /// Replaces (or adds) the documents of `prepared` and deletes those of `gone`; the caller
    /// commits.
    pub fn write(&self, writer: &IndexWriter, prepared: Vec<Prepared>, gone: &[Uuid]) {
        for id in gone {
            writer.delete_term(self.id_term(*id));
        }
        for p in prepared {
            writer.delete_term(self.id_term(p.id));
            // Only fails when the indexing thread died, which the commit then reports.
            let _added = writer.add_document(p.doc);
        }
    }
}

/// An article's document, ready to write.
pub struct Prepared {
    pub id: Uuid,
    pub doc: TantivyDocument,
    pub keywords: Vec<String>,
}

/// Which articles a query may return.
#[derive(Debug, Clone, Copy)]
pub enum Visible {
    /// What anonymous readers may see: published (or scheduled with its time come), not yet
    /// taken down, not in the trash.
    Live,
    /// Staff: everything out of the trash, or one status.
    Staff(Option<Status>),
    /// Staff: what is in the trash.
    Trash,
}

/// The filters of a search.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub category: Option<Uuid>,
    pub tag: Option<Uuid>,
    pub author: Option<Uuid>,
    pub locale: Option<String>,
    pub kind: Option<String>,
    pub published_after: Option<DateTime<Utc>>,
    pub published_before: Option<DateTime<Utc>>,
}

/// What was asked: the query's terms and the query as written.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    pub terms: &'a [QueryTerm],
    pub raw: &'a str,
}

/// A hit: the article and its score (0–1).
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    pub id: Uuid,
    pub score: f32,
}

/// A related article found by the index, with what it shares with the source.
#[derive(Debug, Clone)]
pub struct RelatedHit {
    pub id: Uuid,
    pub score: f32,
    pub shared_tags: Vec<Uuid>,
    pub shared_keywords: Vec<String>,
    pub same_category: bool,
}

/// What the index keeps of an article for related articles.
#[derive(Debug, Clone, Default)]
pub struct Kept {
    pub keywords: Vec<String>,
    pub tags: Vec<Uuid>,
    pub category: Option<Uuid>,
}

/// Maps a BM25 score (0 to unbounded) to 0–1.
fn unit(score: Score) -> f32 {
    let score = score.max(0.0);
    score / (score + 8.0)
}

fn boxed(query: impl Query) -> Box<dyn Query> {
    Box::new(query)
}

fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, boxed(ConstScoreQuery::new(query, 0.0)))
}

fn is_latin(word: &str) -> bool {
    word.chars().all(|c| c.is_ascii_alphanumeric()) && word.chars().any(|c| c.is_ascii_alphabetic())
}

/// `term` scored by BM25 times `weight`.
fn weighed(term: &Term, weight: Score) -> Box<dyn Query> {
    boxed(BoostQuery::new(
        boxed(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
        weight,
    ))
}

/// A query of weighed terms, kept as a tree for what must match and flattened for ranking.
enum Scored {
    Term(Term, Score),
    /// Each must match.
    All(Vec<Scored>),
    /// One at least must match.
    Any(Vec<Scored>),
}

impl Scored {
    fn query(&self) -> Box<dyn Query> {
        let clauses = |parts: &[Scored], occur: Occur| {
            parts.iter().map(|part| (occur, part.query())).collect()
        };
        match self {
            Self::Term(term, weight) => weighed(term, *weight),
            Self::All(parts) => boxed(BooleanQuery::new(clauses(parts, Occur::Must))),
            Self::Any(parts) => boxed(BooleanQuery::new(clauses(parts, Occur::Should))),
        }
    }

    /// The documents of `segment` that match, read straight from the postings (documents only)
    /// into a set, each word of a common term's list a single bit.
    fn docs(&self, segment: &SegmentReader) -> tantivy::Result<Docs> {
        match self {
            Self::All(parts) => {
                let mut parts = parts.iter();
                let mut docs = match parts.next() {
                    Some(first) => first.docs(segment)?,
                    None => return Ok(Docs::new(segment.max_doc())),
                };
                for part in parts {
                    docs.keep_also_in(&part.docs(segment)?);
                }
                Ok(docs)
            }
            Self::Term(..) | Self::Any(_) => {
                let mut docs = Docs::new(segment.max_doc());
                self.add_docs(segment, &mut docs)?;
                Ok(docs)
            }
        }
    }

    fn add_docs(&self, segment: &SegmentReader, into: &mut Docs) -> tantivy::Result<()> {
        match self {
            Self::Term(term, _) => {
                let postings = segment
                    .inverted_index(term.field())?
                    .read_block_postings(term, IndexRecordOption::Basic)?;
                if let Some(mut postings) = postings {
                    while !postings.docs().is_empty() {
                        postings.docs().iter().for_each(|doc| into.insert(*doc));
                        postings.advance();
                    }
                }
            }
            Self::Any(parts) => {
                for part in parts {
                    part.add_docs(segment, into)?;
                }
            }
            Self::All(_) => into.add_all_of(&self.docs(segment)?),
        }
        Ok(())
    }

    /// Whether a document matches when it holds any of the terms.
    fn is_union(&self) -> bool {
        match self {
            Self::Term(..) => true,
            Self::Any(parts) => parts.iter().all(Self::is_union),
            Self::All(parts) => parts.len() == 1 && parts.iter().all(Self::is_union),
        }
    }

    /// Every term with its weight: a match ranks by the sum of those it holds.
    fn terms(&self, into: &mut Vec<(Term, Score)>) {
        match self {
            Self::Term(term, weight) => into.push((term.clone(), *weight)),
            Self::All(parts) | Self::Any(parts) => parts.iter().for_each(|p| p.terms(into)),
        }
    }
}

impl Opened {
    /// The text fields with their weights: title above subtitle and tags, above excerpt, above
    /// body.
    fn weighed_text_fields(&self) -> [(Field, Score); 4] {
        let f = &self.fields;
        [
            (f.title, TITLE_BOOST),
            (f.secondary, SECONDARY_BOOST),
            (f.excerpt, EXCERPT_BOOST),
            (f.body, BODY_BOOST),
        ]
    }

    fn term(&self, field: Field, text: &str, weight: Score) -> Scored {
        Scored::Term(Term::from_field_text(field, text), weight)
    }

    /// `word` in any text field, each with its weight.
    fn word(&self, word: &str) -> Scored {
        Scored::Any(
            self.weighed_text_fields()
                .into_iter()
                .map(|(field, boost)| self.term(field, word, boost))
                .collect(),
        )
    }

    /// A query term: the word, or every dictionary word inside it; a Latin word also as pinyin.
    fn query_term(&self, term: &QueryTerm) -> Scored {
        let mut options = vec![self.word(&term.word)];
        if !term.parts.is_empty() {
            options.push(Scored::All(
                term.parts.iter().map(|p| self.word(p)).collect(),
            ));
        }
        if is_latin(&term.word) {
            options.push(self.term(self.fields.pinyin, &term.word, PINYIN_BOOST));
        }
        Scored::Any(options)
    }

    /// Every term must match; words next to each other as in the query, and the query in
    /// pinyin, add to the score (the latter alone is also enough).
    fn strict(&self, terms: &[QueryTerm], raw: &str) -> Scored {
        let mut options = vec![Scored::All(
            terms.iter().map(|t| self.query_term(t)).collect(),
        )];
        // In titles only, each pair of neighbouring words one term.
        for neighbours in terms.windows(2) {
            let pair = analysis::pair(&neighbours[0].word, &neighbours[1].word);
            options.push(self.term(self.fields.title_pairs, &pair, PHRASE_BOOST * TITLE_BOOST));
        }
        if let Some(letters) = super::text::run_together(terms, raw) {
            options.push(self.term(self.fields.pinyin, &letters, PINYIN_BOOST));
            // And as one Latin word, as written elsewhere.
            options.push(self.word(&letters));
        }
        Scored::Any(options)
    }

    /// Any word may match, Latin words also misspelt (one edit, two for long words) or as the
    /// start of a longer word, as may a single Han character: the fallback when nothing matches
    /// every word. Longer Han words need no prefix: the index holds the dictionary words inside
    /// long ones.
    fn loose(&self, terms: &[QueryTerm]) -> Box<dyn Query> {
        let mut clauses = Vec::new();
        for term in terms {
            for word in std::iter::once(&term.word).chain(&term.parts) {
                let latin = is_latin(word);
                let length = word.chars().count();
                // Misspellings only of Latin words: one Chinese character off is another word.
                let distance = match (latin, length) {
                    (false, _) | (true, 0..=3) => 0,
                    (true, 4..=7) => 1,
                    (true, _) => 2,
                };
                for (field, boost) in self.weighed_text_fields() {
                    let t = Term::from_field_text(field, word);
                    let exact_or_near = if distance == 0 {
                        boxed(TermQuery::new(t.clone(), IndexRecordOption::WithFreqs))
                    } else {
                        boxed(FuzzyTermQuery::new(t.clone(), distance, true))
                    };
                    clauses.push((Occur::Should, boxed(BoostQuery::new(exact_or_near, boost))));
                    // The start of a longer word: `govern`, `旅`.
                    if latin || length == 1 {
                        clauses.push((
                            Occur::Should,
                            boxed(BoostQuery::new(
                                boxed(FuzzyTermQuery::new_prefix(t, 0, true)),
                                boost * 0.5,
                            )),
                        ));
                    }
                }
            }
        }
        boxed(BooleanQuery::new(clauses))
    }

    /// What staff may see and the filters, as clauses that do not score (anonymous visibility is
    /// checked as hits are collected: see [`visible_only`]).
    fn restrictions(&self, visible: Visible, filters: &Filters) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.fields;
        let raw = |field: Field, text: &str| -> Box<dyn Query> {
            boxed(TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::Basic,
            ))
        };
        let mut clauses = Vec::new();
        match visible {
            // Checked per hit as it is collected (see `LiveOnly`).
            Visible::Live => {}
            Visible::Staff(status) => {
                clauses.push(filter(boxed(TermQuery::new(
                    Term::from_field_u64(f.trashed, 0),
                    IndexRecordOption::Basic,
                ))));
                if let Some(status) = status {
                    clauses.push(filter(raw(f.status, status.as_str())));
                }
            }
            Visible::Trash => clauses.push(filter(boxed(TermQuery::new(
                Term::from_field_u64(f.trashed, 1),
                IndexRecordOption::Basic,
            )))),
        }
        for (field, value) in [
            (f.category, filters.category.map(|id| id.to_string())),
            (f.tags, filters.tag.map(|id| id.to_string())),
            (f.authors, filters.author.map(|id| id.to_string())),
            (f.locale, filters.locale.clone()),
            (f.kind, filters.kind.clone()),
        ] {
            if let Some(value) = value {
                clauses.push(filter(raw(field, &value)));
            }
        }
        if filters.published_after.is_some() || filters.published_before.is_some() {
            let lower = filters.published_after.map_or(
                Bound::Included(Term::from_field_i64(f.published, i64::MIN + 1)),
                |at| Bound::Included(Term::from_field_i64(f.published, at.timestamp())),
            );
            let upper = filters.published_before.map_or(Bound::Unbounded, |at| {
                Bound::Excluded(Term::from_field_i64(f.published, at.timestamp()))
            });
            clauses.push(filter(boxed(RangeQuery::new(lower, upper))));
        }
        clauses
    }

    fn restricted(
        &self,
        query: Box<dyn Query>,
        visible: Visible,
        filters: &Filters,
    ) -> BooleanQuery {
        let mut clauses = vec![(Occur::Must, query)];
        clauses.extend(self.restrictions(visible, filters));
        BooleanQuery::new(clauses)
    }

    /// A page of hits, best first, and the number of all hits: every word must match, or, when
    /// nothing does, any word loosely.
    pub fn search(
        &self,
        asked: Asked<'_>,
        visible: Visible,
        filters: &Filters,
        now: DateTime<Utc>,
        (limit, offset): (usize, usize),
    ) -> tantivy::Result<(Vec<Hit>, usize)> {
        let Asked { terms, raw } = asked;
        let searcher = self.searcher();
        let strict = self.strict(terms, raw);
        let restrictions = self.restrictions(visible, filters);
        let restrictions = (!restrictions.is_empty()).then(|| BooleanQuery::new(restrictions));
        let page = (limit.max(1), offset);
        let (mut top, mut total) = ranked(
            &searcher,
            &strict,
            restrictions.as_ref(),
            visible,
            now,
            page,
        )?;
        if total == 0 {
            let loose = self.restricted(self.loose(terms), visible, filters);
            let collector = (TopDocs::with_limit(page.0).and_offset(offset), Count);
            (top, total) = visible_only(&searcher, &loose, collector, visible, now)?;
        }
        let hits = top
            .into_iter()
            .filter_map(|(score, address)| {
                Some(Hit {
                    id: id_of(&searcher, address)?,
                    score: unit(score),
                })
            })
            .collect();
        Ok((hits, total))
    }

    /// The ids of the articles matching every word, best first, at most `cap`: the article
    /// list's `q`, which the list then filters and orders.
    pub fn matching(
        &self,
        asked: Asked<'_>,
        visible: Visible,
        now: DateTime<Utc>,
        cap: usize,
    ) -> tantivy::Result<Vec<Uuid>> {
        let Asked { terms, raw } = asked;
        let searcher = self.searcher();
        let query = self.restricted(
            self.strict(terms, raw).query(),
            visible,
            &Filters::default(),
        );
        let top = visible_only(&searcher, &query, TopDocs::with_limit(cap), visible, now)?;
        Ok(top
            .into_iter()
            .filter_map(|(_, address)| id_of(&searcher, address))
            .collect())
    }

    /// What the index keeps of an article for related articles, when it holds it.
    pub fn kept(&self, id: Uuid) -> tantivy::Result<Option<Kept>> {
        let searcher = self.searcher();
        let query = TermQuery::new(self.id_term(id), IndexRecordOption::Basic);
        let Some((_, address)) = searcher
            .search(&query, &TopDocs::with_limit(1))?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        Ok(Some(self.kept_at(&searcher, address)?))
    }

    fn kept_at(&self, searcher: &Searcher, address: DocAddress) -> tantivy::Result<Kept> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let texts = |field: Field| -> Vec<String> {
            doc.get_all(field)
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        };
        Ok(Kept {
            keywords: texts(self.fields.keywords),
            tags: texts(self.fields.tags)
                .iter()
                .filter_map(|t| t.parse().ok())
                .collect(),
            category: texts(self.fields.category)
                .first()
                .and_then(|c| c.parse().ok()),
        })
    }

    /// Live articles most like `source` ("more like this"), scored by BM25 on what they share
    /// with it: each shared tag (weighing 3), each of the source's keywords (weighing 2 for its
    /// first down to about 1 for its last) among the candidate's keywords, in its body, and in
    /// its title (half as much), and the category (1); then up to 1.25 times for recent ones
    /// (the bonus halving every 90 days). Never the article itself nor those in `exclude`.
    ///
    /// The cost is bounded whatever the words (see [`RELATED_BOUNDS`]): words shared by too many
    /// articles say little about what one is about and are left out of the search for
    /// candidates; only when the telling words find too few, every word ranks the most recently
    /// indexed documents of each segment.
    pub fn related(
        &self,
        id: Uuid,
        source: &Kept,
        exclude: &[Uuid],
        now: DateTime<Utc>,
        limit: usize,
    ) -> tantivy::Result<Vec<RelatedHit>> {
        self.related_within(RELATED_BOUNDS, id, source, exclude, now, limit)
    }

    fn related_within(
        &self,
        bounds: RelatedBounds,
        id: Uuid,
        source: &Kept,
        exclude: &[Uuid],
        now: DateTime<Utc>,
        limit: usize,
    ) -> tantivy::Result<Vec<RelatedHit>> {
        let f = &self.fields;
        let mut shared: Vec<(Term, Score)> = Vec::new();
        for tag in &source.tags {
            shared.push((Term::from_field_text(f.tags, &tag.to_string()), 3.0));
        }
        let ranked = source.keywords.len().max(1) as Score;
        for (rank, keyword) in source.keywords.iter().enumerate() {
            let weight = 1.0 + (ranked - rank as Score) / ranked;
            shared.push((Term::from_field_text(f.keywords, keyword), weight));
            shared.push((Term::from_field_text(f.body, keyword), weight));
            shared.push((Term::from_field_text(f.title, keyword), 0.5 * weight));
        }
        if let Some(category) = source.category {
            shared.push((
                Term::from_field_text(f.category, &category.to_string()),
                1.0,
            ));
        }
        let searcher = self.searcher();
        let mut telling = Vec::new();
        let mut every = Vec::new();
        for (term, weight) in shared {
            let articles = searcher.doc_freq(&term)?;
            if articles == 0 {
                continue;
            }
            if articles <= bounds.telling_docs {
                telling.push((term.clone(), weight));
            }
            every.push((term, weight));
        }
        let unwanted: Vec<Uuid> = std::iter::once(id).chain(exclude.iter().copied()).collect();
        let now = now.timestamp();
        let facts: Vec<Option<SegmentFacts>> = searcher
            .segment_readers()
            .iter()
            .map(|segment| SegmentFacts::of(segment, now))
            .collect();
        let mut best = if telling.is_empty() {
            Vec::new()
        } else {
            best_live(&searcher, &facts, &scoring(&telling), &unwanted, now, limit)?
        };
        if best.len() < limit && every.len() > telling.len() {
            let mut unwanted = unwanted;
            unwanted.extend(best.iter().map(|c| c.id));
            let query = scoring(&every);
            let recent = recent_live(
                &searcher,
                &facts,
                &query,
                bounds.recent_docs,
                &unwanted,
                now,
            )?;
            best.extend(recent.into_iter().take(limit - best.len()));
        }
        let mut hits = Vec::with_capacity(best.len());
        for candidate in best {
            let kept = self.kept_at(&searcher, candidate.address)?;
            hits.push(RelatedHit {
                id: candidate.id,
                score: candidate.score,
                shared_tags: source
                    .tags
                    .iter()
                    .filter(|t| kept.tags.contains(t))
                    .copied()
                    .collect(),
                shared_keywords: source
                    .keywords
                    .iter()
                    .filter(|k| kept.keywords.contains(k))
                    .cloned()
                    .collect(),
                same_category: source.category.is_some() && source.category == kept.category,
            });
        }
        Ok(hits)
    }
}

/// What bounds the cost of related articles.
#[derive(Debug, Clone, Copy)]
struct RelatedBounds {
    /// A word shared by more articles than this is left out of the search for candidates (as
    /// Lucene's "more like this" leaves out words above a document frequency): it tells little,
    /// and reading its list would make the cost grow with the site.
    telling_docs: u64,
    /// When the telling words find too few: how many of the most recently indexed documents of
    /// each segment every shared word ranks.
    recent_docs: u32,
}

const RELATED_BOUNDS: RelatedBounds = RelatedBounds {
    telling_docs: 2_000,
    recent_docs: 2_000,
};

/// A live candidate for related articles, its score with the recency bonus.
struct Candidate {
    score: Score,
    address: DocAddress,
    id: Uuid,
}

/// Nothing but terms to score: tantivy then skips every block of documents that cannot reach the
/// best found so far (block-max WAND). A filter or a score tweak in the query would turn that
/// off, so visibility, exclusions and recency apply to the best candidates afterwards.
fn scoring(terms: &[(Term, Score)]) -> BooleanQuery {
    BooleanQuery::new(
        terms
            .iter()
            .map(|(term, weight)| (Occur::Should, weighed(term, *weight)))
            .collect(),
    )
}

/// The `limit` best live candidates of `query`, asking for more when too few of the best are
/// live.
fn best_live(
    searcher: &Searcher,
    facts: &[Option<SegmentFacts>],
    query: &BooleanQuery,
    unwanted: &[Uuid],
    now: i64,
    limit: usize,
) -> tantivy::Result<Vec<Candidate>> {
    let mut wanted = ((limit + unwanted.len()) * 4).max(32);
    loop {
        let top = searcher.search(query, &TopDocs::with_limit(wanted))?;
        let exhausted = top.len() < wanted;
        let mut live: Vec<Candidate> = top
            .into_iter()
            .filter_map(|(score, address)| {
                let facts = facts.get(address.segment_ord as usize)?.as_ref()?;
                facts.candidate(score, address, unwanted, now)
            })
            .collect();
        if live.len() >= limit || exhausted {
            live.sort_by(|a, b| b.score.total_cmp(&a.score));
            live.truncate(limit);
            return Ok(live);
        }
        wanted *= 4;
    }
}

/// Live candidates among the `recent` most recently indexed documents of each segment, best
/// first.
fn recent_live(
    searcher: &Searcher,
    facts: &[Option<SegmentFacts>],
    query: &BooleanQuery,
    recent: u32,
    unwanted: &[Uuid],
    now: i64,
) -> tantivy::Result<Vec<Candidate>> {
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let mut live = Vec::new();
    for ((ord, segment), facts) in searcher.segment_readers().iter().enumerate().zip(facts) {
        let Some(facts) = facts else {
            continue;
        };
        let mut scorer = weight.scorer(segment, 1.0)?;
        let from = segment.max_doc().saturating_sub(recent);
        let mut doc = scorer.doc();
        if doc < from {
            doc = scorer.seek(from);
        }
        while doc != TERMINATED {
            if !segment
                .alive_bitset()
                .is_some_and(|alive| alive.is_deleted(doc))
            {
                let address = DocAddress::new(ord as u32, doc);
                live.extend(facts.candidate(scorer.score(), address, unwanted, now));
            }
            doc = scorer.advance();
        }
    }
    live.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(live)
}

/// The page `(limit, offset)` of the documents `strict` matches and `restrictions` and
/// `visible` let through, ranked by the sum of the weights of the terms of `strict` each holds,
/// and how many there are. A common word matches thousands of articles: they are found and
/// counted from their postings alone, into a set of bits, and ranked by a pure union of terms,
/// so that, for a query any of whose terms is a match, tantivy skips every block of documents
/// that cannot reach the page (block-max WAND) and scores only the rest.
fn ranked(
    searcher: &Searcher,
    strict: &Scored,
    restrictions: Option<&BooleanQuery>,
    visible: Visible,
    now: DateTime<Utc>,
    (limit, offset): (usize, usize),
) -> tantivy::Result<(Vec<(Score, DocAddress)>, usize)> {
    let restrictions = restrictions
        .map(|r| r.weight(EnableScoring::disabled_from_searcher(searcher)))
        .transpose()?;
    let mut ranking = Vec::new();
    strict.terms(&mut ranking);
    // Skipping blocks pays when the best of the union are matches. When every word (or every
    // word inside a long one) must be found, the union's best often hold one word only, which
    // never raise the score to beat: scoring every document of the union is then cheaper
    // (measured: 儿童福利, 儿童 and 福利 in 13,000 articles, 937 requests/s against 532).
    let pruned = strict.is_union();
    let now = now.timestamp();
    let mut best = Best::new(limit + offset);
    let mut total = 0;
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let mut found = strict.docs(segment)?;
        if let Some(restrictions) = &restrictions {
            let mut allowed = Docs::new(segment.max_doc());
            restrictions.for_each_no_score(segment, &mut |docs| {
                docs.iter().for_each(|doc| allowed.insert(*doc));
            })?;
            found.keep_also_in(&allowed);
        }
        let rule = match visible {
            Visible::Live => Some(LiveRule::of(segment, now)?),
            Visible::Staff(_) | Visible::Trash => None,
        };
        let alive = segment.alive_bitset();
        let count = found.retain(|doc| {
            !alive.is_some_and(|alive| alive.is_deleted(doc))
                && rule
                    .as_ref()
                    .is_none_or(|r| r.live_since(doc, now).is_some())
        });
        if count == 0 {
            continue;
        }
        total += count;
        // Only the terms this segment holds: tantivy's union of terms skips blocks only when
        // every term has postings to read (an absent one reads as a list without counts).
        let mut held = Vec::with_capacity(ranking.len());
        for (term, weight) in &ranking {
            let index = segment.inverted_index(term.field())?;
            if index.get_term_info(term)?.is_some() {
                held.push((term.clone(), *weight));
            }
        }
        let ranking = scoring(&held).weight(EnableScoring::enabled_from_searcher(searcher))?;
        let ord = ord as SegmentOrdinal;
        if pruned {
            ranking.for_each_pruning(best.threshold(), segment, &mut |doc, score| {
                if found.contains(doc) {
                    best.push(score, DocAddress::new(ord, doc));
                }
                best.threshold()
            })?;
        } else {
            ranking.for_each(segment, &mut |doc, score| {
                if found.contains(doc) {
                    best.push(score, DocAddress::new(ord, doc));
                }
            })?;
        }
    }
    Ok((best.page(offset), total))
}

/// A set of a segment's documents.
struct Docs {
    words: Vec<u64>,
}

impl Docs {
    fn new(max_doc: DocId) -> Self {
        Self {
            words: vec![0; (max_doc as usize).div_ceil(64)],
        }
    }

    fn insert(&mut self, doc: DocId) {
        if let Some(word) = self.words.get_mut(doc as usize / 64) {
            *word |= 1 << (doc % 64);
        }
    }

    fn contains(&self, doc: DocId) -> bool {
        self.words
            .get(doc as usize / 64)
            .is_some_and(|word| word & (1 << (doc % 64)) != 0)
    }

    fn add_all_of(&mut self, other: &Docs) {
        self.words
            .iter_mut()
            .zip(&other.words)
            .for_each(|(mine, theirs)| *mine |= theirs);
    }

    fn keep_also_in(&mut self, other: &Docs) {
        self.words
            .iter_mut()
            .zip(&other.words)
            .for_each(|(mine, theirs)| *mine &= theirs);
    }

    /// Keeps the documents `keep` says yes to; returns how many.
    fn retain(&mut self, mut keep: impl FnMut(DocId) -> bool) -> usize {
        let mut kept = 0;
        for (at, word) in self.words.iter_mut().enumerate() {
            let mut bits = *word;
            while bits != 0 {
                let bit = bits.trailing_zeros();
                bits &= bits - 1;
                let doc = (at * 64) as DocId + bit;
                if keep(doc) {
                    kept += 1;
                } else {
                    *word &= !(1 << bit);
                }
            }
        }
        kept
    }
}

/// The best `n` documents so far: kept in a buffer twice that size, cut back to the best `n`
/// when full (as tantivy's own top-n does), whose worst is then the score to beat.
struct Best {
    n: usize,
    kept: Vec<(Score, DocAddress)>,
    to_beat: Score,
}

impl Best {
    fn new(n: usize) -> Self {
        Self {
            n,
            kept: Vec::with_capacity(2 * n.max(1)),
            to_beat: Score::MIN,
        }
    }

    fn threshold(&self) -> Score {
        self.to_beat
    }

    fn push(&mut self, score: Score, address: DocAddress) {
        if score <= self.to_beat {
            return;
        }
        if self.kept.len() >= 2 * self.n.max(1) {
            self.cut();
        }
        self.kept.push((score, address));
    }

    /// Best first; equal scores in index order.
    fn cut(&mut self) {
        self.kept
            .sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        self.kept.truncate(self.n);
        if self.kept.len() == self.n {
            self.to_beat = self.kept.last().map_or(Score::MIN, |(score, _)| *score);
        }
    }

    fn page(mut self, offset: usize) -> Vec<(Score, DocAddress)> {
        self.cut();
        self.kept.into_iter().skip(offset).collect()
    }
}

/// `collector` over the hits of `query` that `visible` lets through. For anonymous readers the
/// visibility rule is checked per hit from the segment's fast fields ([`LiveRule`]) rather than
/// as three more clauses of the query, which every hit of a common word would be matched
/// against at a cost like that of the words themselves.
fn visible_only<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: C,
    visible: Visible,
    now: DateTime<Utc>,
) -> tantivy::Result<C::Fruit> {
    match visible {
        Visible::Live => searcher.search(
            query,
            &LiveOnly {
                inner: collector,
                now: now.timestamp(),
            },
        ),
        Visible::Staff(_) | Visible::Trash => searcher.search(query, &collector),
    }
}

/// A collector of the live documents only.
struct LiveOnly<C> {
    inner: C,
    now: i64,
}

impl<C: Collector> Collector for LiveOnly<C> {
    type Fruit = C::Fruit;
    type Child = LiveOnlyInSegment<C::Child>;

    fn for_segment(
        &self,
        ordinal: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(LiveOnlyInSegment {
            inner: self.inner.for_segment(ordinal, segment)?,
            rule: LiveRule::of(segment, self.now)?,
            now: self.now,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        self.inner.merge_fruits(fruits)
    }
}

struct LiveOnlyInSegment<S> {
    inner: S,
    rule: LiveRule,
    now: i64,
}

impl<S: SegmentCollector> SegmentCollector for LiveOnlyInSegment<S> {
    type Fruit = S::Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.rule.live_since(doc, self.now).is_some() {
            self.inner.collect(doc, score);
        }
    }

    fn harvest(self) -> S::Fruit {
        self.inner.harvest()
    }
}

/// What anonymous readers may see, from a segment's fast fields: its time come (`live_from`),
/// its take-down time (`until`) not yet. Read once per hit of every anonymous search, so read
/// straight from the values, and `until` only in segments where something is due to come down.
struct LiveRule {
    live_from: Arc<dyn ColumnValues<i64>>,
    until: Option<Arc<dyn ColumnValues<i64>>>,
}

impl LiveRule {
    fn of(segment: &SegmentReader, now: i64) -> tantivy::Result<Self> {
        let fast = segment.fast_fields();
        let live_from = every_document(fast.i64("live_from")?)?;
        let until = every_document(fast.i64("until")?)?;
        Ok(Self {
            live_from,
            until: (until.min_value() <= now).then_some(until),
        })
    }

    /// When the document went live, if it is live at `now`.
    fn live_since(&self, doc: DocId, now: i64) -> Option<i64> {
        let from = self.live_from.get_val(doc);
        let live = from <= now
            && self
                .until
                .as_ref()
                .is_none_or(|until| until.get_val(doc) > now);
        live.then_some(from)
    }
}

/// The values of a fast field every document has one of (as every document gets them).
fn every_document(column: Column<i64>) -> tantivy::Result<Arc<dyn ColumnValues<i64>>> {
    match column.get_cardinality() {
        Cardinality::Full => Ok(column.values),
        _ => Err(tantivy::TantivyError::SchemaError(
            "a fast field of the visibility rule is missing for some documents".into(),
        )),
    }
}

/// The article id of a hit, from the id's fast fields.
fn id_of(searcher: &Searcher, address: DocAddress) -> Option<Uuid> {
    let segment = searcher.segment_reader(address.segment_ord);
    let fast = segment.fast_fields();
    let hi = fast.u64("id_hi").ok()?.first(address.doc_id)?;
    let lo = fast.u64("id_lo").ok()?.first(address.doc_id)?;
    Some(joined(hi, lo))
}

/// An id from the two halves the index keeps it as.
fn joined(hi: u64, lo: u64) -> Uuid {
    Uuid::from_u128((u128::from(hi) << 64) | u128::from(lo))
}

/// A segment's fast fields that decide whether a document is a related candidate.
struct SegmentFacts {
    rule: LiveRule,
    id_hi: Column<u64>,
    id_lo: Column<u64>,
}

impl SegmentFacts {
    fn of(segment: &SegmentReader, now: i64) -> Option<Self> {
        let fast = segment.fast_fields();
        Some(Self {
            rule: LiveRule::of(segment, now).ok()?,
            id_hi: fast.u64("id_hi").ok()?,
            id_lo: fast.u64("id_lo").ok()?,
        })
    }

    /// The document as a candidate, when it is live at `now` and not unwanted.
    fn candidate(
        &self,
        score: Score,
        address: DocAddress,
        unwanted: &[Uuid],
        now: i64,
    ) -> Option<Candidate> {
        let doc = address.doc_id;
        let published = self.rule.live_since(doc, now)?;
        let id = joined(self.id_hi.first(doc)?, self.id_lo.first(doc)?);
        if unwanted.contains(&id) {
            return None;
        }
        let days = (now.saturating_sub(published)).max(0) as f32 / 86_400.0;
        let recency = 1.0 + 0.25 * (-days / 90.0 * std::f32::consts::LN_2).exp();
        Some(Candidate {
            score: score * recency,
            address,
            id,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    /// An article written a day ago, live or a draft.
    fn source(body: &str, live: bool, tags: Vec<Uuid>, title: String) -> Source {
        let written = Utc::now() - TimeDelta::days(1);
        Source {
            id: Uuid::now_v7(),
            title,
            subtitle: None,
            excerpt: String::new(),
            body_text: body.to_owned(),
            tag_ids: tags,
            author_ids: Vec::new(),
            category_id: None,
            status: if live { "published" } else { "draft" }.to_owned(),
            kind: "article".to_owned(),
            locale: "zh-CN".to_owned(),
            published_at: live.then_some(written),
            unpublish_at: None,
            trashed: false,
        }
    }

    /// Writes `sources` in one commit: one more segment.
    fn committed(opened: &Opened, sources: &[Source]) {
        let prepared = sources
            .iter()
            .map(|s| opened.document(s, &HashMap::new()))
            .collect();
        opened
            .with_writer(|writer| {
                opened.write(writer, prepared, &[]);
                writer.commit().map_err(ApiError::internal)
            })
            .expect("committed");
        opened.reader.reload().expect("reloaded");
    }

    /// Articles written in order: the body of each, whether it is live, its tags.
    fn indexed(articles: &[(&str, bool, Vec<Uuid>)]) -> (tempfile::TempDir, Opened, Vec<Uuid>) {
        let dir = tempfile::tempdir().expect("a directory");
        let (opened, _) = Opened::open(dir.path()).expect("an index");
        let sources: Vec<Source> = articles
            .iter()
            .enumerate()
            .map(|(n, (body, live, tags))| {
                source(body, *live, tags.clone(), format!("稿件 {}", n + 1))
            })
            .collect();
        committed(&opened, &sources);
        let ids = sources.iter().map(|s| s.id).collect();
        (dir, opened, ids)
    }

    #[test]
    fn search_pages_rank_every_live_match_once_as_scoring_them_all_would() {
        let dir = tempfile::tempdir().expect("a directory");
        let (opened, _) = Opened::open(dir.path()).expect("an index");
        // Two segments; one word more or less often, drafts among them, and some without it.
        for segment in 0..2 {
            let sources: Vec<Source> = (0..150)
                .map(|n| {
                    let body = "养老服务。".repeat(1 + n % 7) + &"城市建设。".repeat(n % 5);
                    let body = if n % 11 == 0 {
                        "城市建设。".to_owned()
                    } else {
                        body
                    };
                    source(&body, n % 4 != 0, Vec::new(), format!("稿件 {segment} {n}"))
                })
                .collect();
            committed(&opened, &sources);
        }
        // One word (the page's blocks skipped), and two that must both be found (every match
        // scored).
        for query in ["养老", "养老 城市"] {
            let terms = super::super::text::query_terms(query);
            let asked = Asked {
                terms: &terms,
                raw: query,
            };
            let now = Utc::now();
            let searcher = opened.searcher();
            let (all, expected_total) = visible_only(
                &searcher,
                &opened.strict(&terms, query).query(),
                (TopDocs::with_limit(1_000), Count),
                Visible::Live,
                now,
            )
            .expect("every match");
            assert_eq!(expected_total, all.len());
            assert!(expected_total > 100, "{query}: {expected_total}");
            let mut seen = BTreeSet::new();
            for page in 0..all.len().div_ceil(20) {
                let (hits, total) = opened
                    .search(
                        asked,
                        Visible::Live,
                        &Filters::default(),
                        now,
                        (20, page * 20),
                    )
                    .expect("a page");
                assert_eq!(total, expected_total, "{query}");
                let expected = all.iter().skip(page * 20).take(20);
                assert_eq!(hits.len(), expected.len(), "{query} page {page}");
                for (hit, (score, _)) in hits.iter().zip(expected) {
                    assert!(
                        (hit.score - unit(*score)).abs() < 1e-5,
                        "{query} page {page}"
                    );
                }
                seen.extend(hits.iter().map(|h| h.id));
            }
            assert_eq!(seen.len(), expected_total, "{query}: every match once");
            let drafts_and_all = opened
                .search(
                    asked,
                    Visible::Staff(None),
                    &Filters::default(),
                    now,
                    (20, 0),
                )
                .expect("staff");
            assert!(
                drafts_and_all.1 > expected_total,
                "{query}: staff also find drafts"
            );
        }
    }

    const SMALL: RelatedBounds = RelatedBounds {
        telling_docs: 5,
        recent_docs: 10,
    };

    #[test]
    fn a_writer_closed_at_rest_reopens_on_the_next_write_over_what_was_committed() {
        let dir = tempfile::tempdir().expect("a directory");
        let (opened, _) = Opened::open(dir.path()).expect("an index");
        assert!(
            !opened.close_writer().expect("nothing to close"),
            "no writer is opened before the first write"
        );
        let body = "居家养老服务站为老人提供助餐服务。";
        let first = source(body, true, Vec::new(), "稿件 1".into());
        committed(&opened, std::slice::from_ref(&first));
        assert!(opened.close_writer().expect("closed"));
        let second = source(body, true, Vec::new(), "稿件 2".into());
        committed(&opened, &[second, first]);
        // The first article's document, written before the writer closed, was replaced.
        assert_eq!(opened.searcher().num_docs(), 2);
    }

    #[test]
    fn a_rare_shared_tag_finds_old_articles_that_common_words_alone_would_not_reach() {
        let tag = Uuid::now_v7();
        let mut articles =
            vec![("居家养老服务站为老人提供助餐服务。", true, vec![tag]); 3];
        articles.extend(vec![
            ("居家养老服务站为老人提供助餐服务。", true, Vec::new());
            30
        ]);
        let (_dir, opened, ids) = indexed(&articles);
        let source = Kept {
            keywords: vec!["养老".into(), "服务站".into()],
            tags: vec![tag],
            category: None,
        };
        let hits = opened
            .related_within(SMALL, ids[0], &source, &[], Utc::now(), 2)
            .expect("related");
        let found: Vec<Uuid> = hits.iter().map(|h| h.id).collect();
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|id| ids[1..3].contains(id)), "{found:?}");
        assert!(hits.iter().all(|h| h.shared_tags == [tag]));
    }

    #[test]
    fn when_every_shared_word_is_common_only_the_latest_live_articles_are_ranked() {
        let mut articles =
            vec![("居家养老服务站为老人提供助餐服务。", true, Vec::new()); 30];
        // The latest but one is a draft: never related.
        articles[28].1 = false;
        let (_dir, opened, ids) = indexed(&articles);
        let source = Kept {
            keywords: vec!["养老".into(), "服务站".into()],
            tags: Vec::new(),
            category: None,
        };
        let exclude = [ids[27]];
        let hits = opened
            .related_within(SMALL, ids[0], &source, &exclude, Utc::now(), 20)
            .expect("related");
        let mut found: Vec<Uuid> = hits.iter().map(|h| h.id).collect();
        found.sort();
        let mut expected: Vec<Uuid> = ids[20..].to_vec();
        expected.retain(|id| *id != ids[27] && *id != ids[28]);
        assert_eq!(
            found, expected,
            "the last 10 written, less the draft and the excluded"
        );
    }
}
