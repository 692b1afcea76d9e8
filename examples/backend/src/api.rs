//! The HTTP surface. Client errors are 4xx with the core's typed error as JSON
//! (`{"error": {"kind", "field", "value", "message"}}`); bodies over [`MAX_BODY_BYTES`] are
//! refused with 413 before they are read whole; nothing a client sends makes it answer 500.
//! Events and clock runs more than a day after the server's clock are refused (`in_future`).
//!
//! | route | what |
//! |---|---|
//! | `POST /members/{id}/events` | apply an event (the core's JSON); optional `Idempotency-Key` header |
//! | `GET /members/{id}/balances?as_of=` | balances as of an instant (default: now, or the account's clock if later) |
//! | `GET /members/{id}/history?page=&per_page=` | a statement page from the journal, newest first |
//! | `GET /members/{id}/tier?as_of=` | tier progress |
//! | `POST /advance` | `{"at": instant, "batch": n}`: the nightly clock run over all members, resumable |
//! | `GET /health` | `{"status": "ok", "members", "journal", "events"}` |

use crate::store::{Failure, Store};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;

/// The largest request body taken.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The largest idempotency key taken.
const MAX_KEY_CHARS: usize = 200;
/// How far ahead of the server's clock an event or a clock run may be: the core takes any
/// instant (time is an argument), but one event a year ahead would move the member's clock
/// there for good, and a clock run would do it to everyone.
const MAX_AHEAD_HOURS: i64 = 24;

fn not_ahead(field: &str, t: DateTime<Utc>) -> Result<(), ApiError> {
    let limit = Utc::now() + chrono::Duration::hours(MAX_AHEAD_HOURS);
    if t > limit {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "in_future",
            field,
            t.to_rfc3339(),
            format!("{field}: {} is more than {MAX_AHEAD_HOURS} hours after the server's clock", t.to_rfc3339()),
        ));
    }
    Ok(())
}

/// The routes over `store`.
pub fn router(store: Arc<Store>) -> Router {
    Router::new()
        .route("/members/{id}/events", post(apply))
        .route("/members/{id}/balances", get(balances))
        .route("/members/{id}/history", get(history))
        .route("/members/{id}/tier", get(tier))
        .route("/advance", post(advance))
        .route("/health", get(health))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(store)
}

/// An error response: a status and the typed error.
pub struct ApiError {
    status: StatusCode,
    kind: String,
    field: String,
    value: String,
    message: String,
}

impl ApiError {
    fn new(
        status: StatusCode,
        kind: &str,
        field: &str,
        value: impl Into<String>,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError { status, kind: kind.into(), field: field.into(), value: value.into(), message: message.into() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"kind": self.kind, "field": self.field, "value": self.value, "message": self.message}});
        (self.status, [("content-type", "application/json")], body.to_string()).into_response()
    }
}

impl From<Failure> for ApiError {
    fn from(f: Failure) -> ApiError {
        match f {
            Failure::Core(e) => {
                let status = match e.kind() {
                    "invalid_field" => StatusCode::BAD_REQUEST,
                    "id_conflict" | "duplicate_order" | "out_of_order" => StatusCode::CONFLICT,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                ApiError::new(status, e.kind(), &e.field(), e.value(), e.to_string())
            }
            Failure::Input { field, value, reason } => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_input", &field, value, reason)
            }
            Failure::UnknownMember(id) => {
                let message = format!("member_id: {id:?} has no account");
                ApiError::new(StatusCode::NOT_FOUND, "unknown_member", "member_id", id, message)
            }
            Failure::KeyReused(key) => {
                let message = format!("idempotency-key: {key:?} was used for another request");
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency_key_reused",
                    "idempotency-key",
                    key,
                    message,
                )
            }
            Failure::Snapshot(e) => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "stored_snapshot",
                &e.field(),
                e.value(),
                e.to_string(),
            ),
            Failure::Db(e) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "storage", "", "", format!("the store failed: {e}"))
            }
            Failure::Contended => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "contended",
                "",
                "",
                "the member changed under this request too often; send it again",
            ),
        }
    }
}

fn json(body: String) -> Response {
    (StatusCode::OK, [("content-type", "application/json")], body).into_response()
}

/// Runs a store call off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, Failure> + Send + 'static) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(ApiError::from),
        Err(_) => {
            Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "", "", "the request's worker stopped"))
        }
    }
}

fn body_text(body: Result<Bytes, BytesRejection>) -> Result<String, ApiError> {
    let bytes = body.map_err(|r| {
        let status = r.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                status,
                "too_large",
                "body",
                MAX_BODY_BYTES.to_string(),
                format!("body: larger than {MAX_BODY_BYTES} bytes"),
            )
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_input", "body", "", r.body_text())
        }
    })?;
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_input", "body", "", format!("body: not UTF-8 ({e})"))
    })
}

/// Refuses query parameters the route does not take (a misspelt `asof` would otherwise be
/// ignored and the default used).
fn only(q: &HashMap<String, String>, known: &[&str]) -> Result<(), ApiError> {
    match q.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        None => Ok(()),
        Some((k, v)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            k,
            v.clone(),
            format!("{k}: is not a parameter of this route (it takes {})", known.join(", ")),
        )),
    }
}

fn instant(q: &HashMap<String, String>, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    match q.get(name) {
        None => Ok(None),
        Some(v) => DateTime::parse_from_rfc3339(v).map(|t| Some(t.with_timezone(&Utc))).map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                name,
                v.clone(),
                format!("{name}: {v:?} is not an RFC 3339 instant"),
            )
        }),
    }
}

fn number(q: &HashMap<String, String>, name: &str, default: usize) -> Result<usize, ApiError> {
    match q.get(name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                name,
                v.clone(),
                format!("{name}: {v:?} is not a whole number"),
            )
        }),
    }
}

/// FNV-1a over the request: what a repeat under one idempotency key must match.
fn request_hash(member_id: &str, body: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in member_id.bytes().chain([0]).chain(body.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

async fn apply(
    State(store): State<Arc<Store>>,
    Path(member_id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let text = body_text(body)?;
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => {
            let k =
                v.to_str().ok().filter(|k| !k.is_empty() && k.chars().count() <= MAX_KEY_CHARS).ok_or_else(|| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_input",
                        "idempotency-key",
                        String::from_utf8_lossy(v.as_bytes()),
                        format!("idempotency-key: must be 1 to {MAX_KEY_CHARS} visible ASCII characters"),
                    )
                })?;
            Some(k.to_string())
        }
    };
    let event = loyalty::Event::from_json(&text).map_err(|e| ApiError::from(Failure::Core(e)))?;
    not_ahead("occurred_at", event.occurred_at)?;
    let hash = request_hash(&member_id, &text);
    let out = blocking(move || store.apply(&member_id, &event, key.as_deref().map(|k| (k, hash)))).await?;
    Ok(json(out))
}

async fn balances(
    State(store): State<Arc<Store>>,
    Path(member_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    only(&q, &["as_of"])?;
    let as_of = instant(&q, "as_of")?;
    Ok(json(blocking(move || store.balances(&member_id, as_of)).await?))
}

async fn tier(
    State(store): State<Arc<Store>>,
    Path(member_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    only(&q, &["as_of"])?;
    let as_of = instant(&q, "as_of")?;
    Ok(json(blocking(move || store.tier(&member_id, as_of)).await?))
}

async fn history(
    State(store): State<Arc<Store>>,
    Path(member_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    only(&q, &["page", "per_page"])?;
    let page = number(&q, "page", 0)?;
    let per_page = number(&q, "per_page", 50)?;
    Ok(json(blocking(move || store.history(&member_id, page, per_page)).await?))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceRequest {
    at: DateTime<Utc>,
    #[serde(default)]
    batch: Option<usize>,
}

async fn advance(State(store): State<Arc<Store>>, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let text = body_text(body)?;
    let req: AdvanceRequest = serde_json::from_str(&text)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_input", "body", "", format!("body: {e}")))?;
    not_ahead("at", req.at)?;
    let batch = req.batch.unwrap_or(500);
    if !(1..=10_000).contains(&batch) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "batch",
            batch.to_string(),
            "batch: must be 1 to 10000",
        ));
    }
    let report = blocking(move || store.advance(req.at, batch)).await?;
    Ok(json(serde_json::to_string(&report).unwrap_or_default()))
}

async fn health(State(store): State<Arc<Store>>) -> Result<Response, ApiError> {
    let (members, journal, events) = blocking(move || store.counts()).await?;
    Ok(json(serde_json::json!({"status": "ok", "members": members, "journal": journal, "events": events}).to_string()))
}
