//! Who the caller is: passwords, tokens, API keys, roles and throttling. The endpoints that
//! sign in and out are the `sessions` room's.

pub mod caller;
pub mod password;
mod queries;
pub mod throttle;
pub mod tokens;

pub use caller::{AuthUser, Reader, Role, min};
