//! Every query on articles, their slugs and their revisions: a file per concern, every query
//! named from here as `queries::…` whichever file holds it.

mod embed;
mod list;
mod lookup;
mod previews;
mod references;
mod revisions;
mod sort;
mod write;

pub use embed::{embeddable_authors, embeddable_categories, embeddable_tags};
pub use list::{Filters, count, page};
pub use lookup::{
    Lookup, find, forget_retired_slug, lock, lock_current, retire_slug, slug_taken, taken_slugs,
};
pub use previews::{insert_preview, previewed, revoke_previews};
pub use references::{
    article_exists, author_of_user, category_exists, create_author_for_user, is_author,
    missing_authors, missing_tags,
};
pub use revisions::{
    find_revision, fold_into_revision, insert_revision, latest_revision, list_revisions,
};
pub use sort::{Cursor, Sort};
pub use write::{
    insert, publish_due, purge, set_status, set_trashed, set_unpublish_at, unpublish_due,
    update_content,
};
