//! Access tokens (short-lived JWTs), refresh tokens and API key secrets.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{auth::Role, error::ApiError, secret::Secret};

/// API keys start with this, so a bearer credential says by itself which kind it is.
pub const API_KEY_PREFIX: &str = "mh_";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    /// The role when the token was issued; requests use the account's current role.
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &Secret) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is exact: a 15-minute token does not live for 16.
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
        }
    }

    pub fn issue(
        &self,
        user: Uuid,
        role: Role,
        now: DateTime<Utc>,
        ttl: chrono::Duration,
    ) -> Result<String, ApiError> {
        let claims = Claims {
            sub: user,
            role,
            iat: now.timestamp(),
            exp: (now + ttl).timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => {
                    ApiError::Unauthorized("the access token has expired".into())
                }
                _ => ApiError::Unauthorized("the access token is not valid".into()),
            })
    }
}

/// Secrets are stored only as this digest; they are long and random, so no salt or stretching
/// is needed, and lookup by digest compares nothing secret in application code.
pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_until_it_expires() {
        let keys = TokenKeys::new(&Secret::new("a".repeat(32)));
        let user = Uuid::now_v7();
        let fresh = keys
            .issue(
                user,
                Role::Editor,
                Utc::now(),
                chrono::Duration::minutes(15),
            )
            .expect("issued");
        assert_eq!(keys.verify(&fresh).expect("valid").sub, user);
        let stale = keys
            .issue(
                user,
                Role::Editor,
                Utc::now() - chrono::Duration::minutes(20),
                chrono::Duration::minutes(15),
            )
            .expect("issued");
        assert!(
            matches!(keys.verify(&stale), Err(ApiError::Unauthorized(m)) if m.contains("expired"))
        );
        let other = TokenKeys::new(&Secret::new("b".repeat(32)));
        assert!(other.verify(&fresh).is_err());
    }
}
