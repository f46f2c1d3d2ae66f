//! Who is acting, as the change log records it.
//!
//! The log is written by database triggers, so the database must know the actor: every
//! connection carries it in the session setting `masthead.actor`, brought up to date by
//! [`crate::db::run`] before the work of a request that may write. A request's actor is set by
//! the credential extractors; work outside any request (scheduled jobs, deliveries) is `system`.

use std::{cell::Cell, fmt, future::Future};

use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// Masthead itself: scheduled publication, pruning, webhook bookkeeping.
    System,
    /// A request without credentials (a reader's sign-up, a link application).
    Anonymous,
    User(Uuid),
    ApiKey(Uuid),
}

impl Actor {
    /// The value of `masthead.actor`; `system` is the setting's absence.
    pub fn setting(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::System => f.write_str("system"),
            Self::Anonymous => f.write_str("anonymous"),
            Self::User(id) => write!(f, "user:{id}"),
            Self::ApiKey(id) => write!(f, "api_key:{id}"),
        }
    }
}

/// What a request knows about its actor.
#[derive(Debug, Clone, Copy)]
struct RequestActor {
    actor: Actor,
    /// `GET` and `HEAD` write nothing, so their connections need no actor: reads stay one
    /// statement.
    read_only: bool,
}

tokio::task_local! {
    static REQUEST: Cell<RequestActor>;
}

/// Runs a request's future with an actor of its own, anonymous until a credential says more.
pub async fn scope<F: Future>(read_only: bool, request: F) -> F::Output {
    let initial = RequestActor {
        actor: Actor::Anonymous,
        read_only,
    };
    REQUEST.scope(Cell::new(initial), request).await
}

/// Records the caller a credential identified (within a request; elsewhere it does nothing).
pub fn identified(actor: Actor) {
    let _outside_a_request = REQUEST.try_with(|cell| {
        let mut current = cell.get();
        current.actor = actor;
        cell.set(current);
    });
}

/// The actor the database must know before work runs, or `None` when the work cannot write.
pub fn for_database() -> Option<Actor> {
    match REQUEST.try_with(Cell::get) {
        Ok(request) if request.read_only => None,
        Ok(request) => Some(request.actor),
        Err(_) => Some(Actor::System),
    }
}
