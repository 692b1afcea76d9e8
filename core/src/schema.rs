//! JSON Schema (draft 2020-12) of what crosses to and from the engine as JSON, generated from
//! the core's own types: the one description of the surface that the bindings are checked
//! against, and that editors validate program files with. The committed copies under
//! `schema/` are these, written by `cargo run -p loyalty-examples --bin schema` and
//! checked current by a test (`examples/tests/schema_current.rs`).
//!
//! ```
//! let schemas = loyalty::schema::all();
//! let names: Vec<&str> = schemas.iter().map(|(name, _)| *name).collect();
//! assert_eq!(names, ["program", "event", "effect", "outcome", "snapshot", "statement_entry", "simulation_run"]);
//! ```

use serde_json::Value;

/// Every schema, by the name of its file under `schema/` (without `.schema.json`).
pub fn all() -> Vec<(&'static str, Value)> {
    vec![
        ("program", value(schemars::schema_for!(crate::ProgramConfig))),
        ("event", strict(value(schemars::schema_for!(crate::Event)))),
        ("effect", value(schemars::schema_for!(crate::Effect))),
        ("outcome", value(schemars::schema_for!(crate::Outcome))),
        ("snapshot", value(schemars::schema_for!(crate::Account))),
        ("statement_entry", value(schemars::schema_for!(crate::Entry))),
        ("simulation_run", value(schemars::schema_for!(crate::simulation::Run))),
    ]
}

fn value(schema: schemars::Schema) -> Value {
    schema.to_value()
}

/// An event's kind is flattened beside its id and instant, so no one part can say "nothing
/// else": `unevaluatedProperties` does it for the whole, as the engine refuses unknown fields.
fn strict(mut schema: Value) -> Value {
    if let Some(map) = schema.as_object_mut() {
        map.insert("unevaluatedProperties".into(), Value::Bool(false));
    }
    schema
}
