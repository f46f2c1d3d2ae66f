//! Carousel endpoints, a file per group of actions.

mod carousels;
mod clicks;
mod slides;

pub use carousels::{
    create_carousel, delete_carousel, find_carousel, list_carousels, update_carousel,
};
pub use clicks::click_slide;
pub use slides::{add_slide, delete_slide, order_slides, update_slide};
