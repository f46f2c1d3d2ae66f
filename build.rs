//! `embed_migrations!` reads `migrations/` at compile time; without this, a new migration is
//! not embedded until some Rust file changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
