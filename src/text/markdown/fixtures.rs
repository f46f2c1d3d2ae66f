//! What the tests of the renderer's parts share: HTML rendered without stored images, and two
//! stored images to place.

use std::collections::HashMap;

use uuid::Uuid;

use super::{InlineImage, render};

pub(super) fn html(source: &str) -> String {
    render(source, &HashMap::new()).html
}

pub(super) const HARBOUR: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
pub(super) const BARE: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0002);
pub(super) const UNKNOWN: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0009);

pub(super) fn images() -> HashMap<Uuid, InlineImage> {
    HashMap::from([
        (
            HARBOUR,
            InlineImage {
                url: "https://cdn.example/harbour-1600.webp".into(),
                srcset: "https://cdn.example/harbour-480.webp 480w, https://cdn.example/harbour-1600.webp 1600w"
                    .into(),
                webp_srcset: String::new(),
                width: 1600,
                height: 900,
                caption: Some("The harbour at <dawn>".into()),
                credit: Some("Zhu & Co".into()),
            },
        ),
        (
            BARE,
            InlineImage {
                url: "https://cdn.example/bare.png".into(),
                srcset: String::new(),
                webp_srcset: String::new(),
                width: 640,
                height: 480,
                caption: None,
                credit: None,
            },
        ),
    ])
}
