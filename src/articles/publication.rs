//! When an article goes live and when it comes down: the rules the publish action and a create
//! that publishes at once share.

use chrono::{DateTime, Utc};

use crate::{
    articles::{content, dto::NewStatus, model::Status},
    error::{ApiError, FieldCode, Fields},
};

/// An article's status, `published_at` and `unpublish_at` after a workflow step.
pub type Workflow = (Status, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The times a publish names, each one PostgreSQL can store; one 422 names every bad one.
pub fn check_times(
    published_at: Option<DateTime<Utc>>,
    unpublish_at: Option<DateTime<Utc>>,
) -> Result<(), ApiError> {
    let storable = |field, at: Option<DateTime<Utc>>| {
        at.map_or(Ok(()), |at| content::storable_time(field, at).map(drop))
    };
    (
        storable("published_at", published_at),
        storable("unpublish_at", unpublish_at),
    )
        .parsed()
        .map(drop)
}

/// Going live at `at`, now when `None`: published, or scheduled while `at` is still ahead. A
/// take-down must come after both: one already past would publish what no one can read.
pub fn going_live(
    at: Option<DateTime<Utc>>,
    unpublish_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Workflow, ApiError> {
    let at = at.unwrap_or(now);
    content::check_unpublish_at(Some(at), unpublish_at)?;
    if unpublish_at.is_some_and(|until| until <= now) {
        return Err(ApiError::field(
            "unpublish_at",
            FieldCode::Invalid,
            "must be in the future",
        ));
    }
    let status = if at > now {
        Status::Scheduled
    } else {
        Status::Published
    };
    Ok((status, Some(at), unpublish_at))
}

/// Where a new article starts: a draft, or what publishing it at once makes it. A draft has no
/// publishing time yet (it may have a take-down time, as a `PATCH` may give it), and scheduling
/// needs a time ahead.
pub fn at_creation(
    status: NewStatus,
    published_at: Option<DateTime<Utc>>,
    unpublish_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Workflow, ApiError> {
    check_times(published_at, unpublish_at)?;
    match status {
        NewStatus::Draft if published_at.is_some() => Err(ApiError::field(
            "published_at",
            FieldCode::Invalid,
            "needs status published or scheduled; a draft is given its time when it is published",
        )),
        NewStatus::Draft => Ok((Status::Draft, None, unpublish_at)),
        NewStatus::Scheduled if published_at.is_none_or(|at| at <= now) => Err(ApiError::field(
            "published_at",
            if published_at.is_some() {
                FieldCode::Invalid
            } else {
                FieldCode::Required
            },
            "scheduling needs a time in the future; status published goes live now or at a past time",
        )),
        NewStatus::Published | NewStatus::Scheduled => going_live(published_at, unpublish_at, now),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn fields_of(error: ApiError) -> Vec<(String, FieldCode)> {
        match error {
            ApiError::Validation(errors) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn a_new_article_goes_live_now_at_a_past_time_or_later_at_a_future_one() {
        let now = Utc::now();
        let (past, future) = (now - Duration::days(3), now + Duration::hours(2));
        let at =
            |status, published_at| at_creation(status, published_at, None, now).expect("accepted");
        assert_eq!(at(NewStatus::Draft, None), (Status::Draft, None, None));
        assert_eq!(
            at_creation(NewStatus::Draft, None, Some(future), now).expect("accepted"),
            (Status::Draft, None, Some(future)),
            "a draft may be given its take-down time, as a PATCH may"
        );
        assert_eq!(
            at(NewStatus::Published, None),
            (Status::Published, Some(now), None)
        );
        assert_eq!(
            at(NewStatus::Published, Some(past)),
            (Status::Published, Some(past), None)
        );
        assert_eq!(
            at(NewStatus::Published, Some(future)),
            (Status::Scheduled, Some(future), None)
        );
        assert_eq!(
            at(NewStatus::Scheduled, Some(future)),
            (Status::Scheduled, Some(future), None)
        );
    }

    #[test]
    fn times_that_do_not_fit_the_status_name_their_fields() {
        let now = Utc::now();
        let (past, future) = (now - Duration::days(3), now + Duration::hours(2));
        let error = |status, published_at, unpublish_at| {
            fields_of(at_creation(status, published_at, unpublish_at, now).expect_err("refused"))
        };
        assert_eq!(
            error(NewStatus::Draft, Some(past), Some(future)),
            [("published_at".to_owned(), FieldCode::Invalid)]
        );
        assert_eq!(
            error(NewStatus::Scheduled, None, None),
            [("published_at".to_owned(), FieldCode::Required)]
        );
        assert_eq!(
            error(NewStatus::Scheduled, Some(past), None),
            [("published_at".to_owned(), FieldCode::Invalid)]
        );
        assert_eq!(
            error(NewStatus::Published, Some(future), Some(past)),
            [("unpublish_at".to_owned(), FieldCode::Invalid)]
        );
        assert_eq!(
            error(
                NewStatus::Published,
                Some(now - Duration::days(5)),
                Some(past)
            ),
            [("unpublish_at".to_owned(), FieldCode::Invalid)],
            "a take-down already past, though after the publication"
        );
        let year_ten_thousand = "+10000-01-01T00:00:00Z".parse().expect("a time");
        assert_eq!(
            error(
                NewStatus::Published,
                Some(year_ten_thousand),
                Some(year_ten_thousand)
            ),
            [
                ("published_at".to_owned(), FieldCode::Invalid),
                ("unpublish_at".to_owned(), FieldCode::Invalid)
            ]
        );
    }
}
