//! `page`/`per_page` parameters, the list envelope, and the `Link` header.

use actix_web::{HttpRequest, HttpResponse, http::header};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000, example = 1)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100.
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<i64>,
}

/// A checked page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub number: i64,
    pub per_page: i64,
}

impl Page {
    pub fn limit(self) -> i64 {
        self.per_page
    }

    pub fn offset(self) -> i64 {
        (self.number - 1) * self.per_page
    }
}

impl TryFrom<&PageParams> for Page {
    type Error = ApiError;

    fn try_from(params: &PageParams) -> Result<Self, ApiError> {
        let number = params.page.unwrap_or(1);
        let per_page = params.per_page.unwrap_or(i64::from(DEFAULT_PER_PAGE));
        if !(1..=1_000_000).contains(&number) {
            return Err(ApiError::BadRequest(
                "page must be between 1 and 1000000".into(),
            ));
        }
        if !(1..=i64::from(MAX_PER_PAGE)).contains(&per_page) {
            return Err(ApiError::BadRequest(format!(
                "per_page must be between 1 and {MAX_PER_PAGE}"
            )));
        }
        Ok(Self { number, per_page })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageMeta {
    /// The page number; null when the page was asked for with a cursor (`after`).
    #[schema(example = 1)]
    pub page: Option<i64>,
    #[schema(example = 20)]
    pub per_page: i64,
    #[schema(example = 134)]
    pub total: i64,
    #[schema(example = 7)]
    pub total_pages: i64,
    /// Pass as `after` for the page that follows; absent on the last page and on lists
    /// without cursors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

impl<T: Serialize> List<T> {
    pub fn new(data: Vec<T>, page: Page, total: i64) -> Self {
        Self {
            data,
            meta: PageMeta {
                page: Some(page.number),
                per_page: page.per_page,
                total,
                total_pages: (total + page.per_page - 1) / page.per_page,
                next_cursor: None,
            },
        }
    }

    /// A page reached by cursor: no page number, and the cursor of the next page if any.
    pub fn with_cursor(mut self, next: Option<String>) -> Self {
        self.meta.page = None;
        self.meta.next_cursor = next;
        self
    }

    /// `200` with the envelope and a `Link` header naming the next and previous pages.
    pub fn respond(self, req: &HttpRequest) -> HttpResponse {
        let mut response = HttpResponse::Ok();
        let mut links = Vec::new();
        match (self.meta.page, &self.meta.next_cursor) {
            (Some(page), _) => {
                if page < self.meta.total_pages {
                    let next = with_param(req, "page", &(page + 1).to_string());
                    links.push(format!("<{next}>; rel=\"next\""));
                }
                if page > 1 {
                    let prev = with_param(req, "page", &(page - 1).to_string());
                    links.push(format!("<{prev}>; rel=\"prev\""));
                }
            }
            (None, Some(cursor)) => {
                let next = with_param(req, "after", cursor);
                links.push(format!("<{next}>; rel=\"next\""));
            }
            (None, None) => {}
        }
        if !links.is_empty() {
            response.insert_header((header::LINK, links.join(", ")));
        }
        response.json(self)
    }
}

/// The request's own path and query with one parameter replaced, relative to the host.
/// Values put here are page numbers and cursors, which need no percent-encoding.
fn with_param(req: &HttpRequest, name: &str, value: &str) -> String {
    let prefix = format!("{name}=");
    let mut pairs: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with(&prefix))
        .collect();
    let replaced = format!("{name}={value}");
    pairs.push(&replaced);
    format!("{}?{}", req.path(), pairs.join("&"))
}
