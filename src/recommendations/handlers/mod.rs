//! Recommendation endpoints: the curated entries, and related articles.

mod entries;
mod related;

pub use entries::{
    create_recommendation, delete_recommendation, find_recommendation, list_recommendations,
    reorder_recommendations, update_recommendation,
};
pub use related::list_related;
