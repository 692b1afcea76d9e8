//! The committed JSON Schemas under `schema/` are the ones the core's types generate now:
//! a type that crosses as JSON cannot change without its schema (and the bindings' surface
//! tests, which read these files) seeing it. Regenerate with
//! `cargo run -p loyalty-examples --bin schema`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[test]
fn the_committed_schemas_are_current() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema");
    let mut stale = Vec::new();
    for (name, schema) in loyalty::schema::all() {
        let want = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        let path = dir.join(format!("{name}.schema.json"));
        if std::fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
            stale.push(name);
        }
    }
    assert!(stale.is_empty(), "stale schemas {stale:?}: run `cargo run -p loyalty-examples --bin schema`");
}

#[test]
fn every_shipped_program_validates_against_the_program_schema_s_required_fields() {
    // A light check without a validator crate: every field a shipped program uses is one the
    // schema names, and every field the schema requires is there.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/program.schema.json")).unwrap(),
    )
    .unwrap();
    let properties = schema["properties"].as_object().unwrap();
    let required: Vec<&str> = schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/programs")).unwrap() {
        let path = entry.unwrap().path();
        let program: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let fields = program.as_object().unwrap();
        for key in fields.keys() {
            assert!(properties.contains_key(key), "{}: {key} is not in the schema", path.display());
        }
        for key in &required {
            assert!(fields.contains_key(*key), "{}: the schema requires {key}", path.display());
        }
    }
}
